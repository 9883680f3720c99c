-- Risk limits and re-authorisation (issue 13, docs/methodology.md#risk-limits).
--
-- suspensions: an account whose cumulative loss on entrusted assets crossed its mandate's
-- loss_limit at a day's close (kind 'loss_limit'): the figures of the check, and how many open
-- orders were cancelled. Written by the daily cycle in the same transaction as the account's day,
-- so a re-run or a killed run never writes it twice (UNIQUE (account_id, day)). The account makes
-- no proposal on the following days until a re-authorisation (roboadvisor reauthorise) fills
-- reauthorised_by, its note and time, and the base the next checks start from: base_day (the
-- account's last daily value) and base_minor (its value then), which become the entrusted amount
-- (plus the flows after base_day). Audited (entity "risk", grouped by account).
CREATE TABLE suspensions (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    day INTEGER NOT NULL,
    kind TEXT NOT NULL,
    loss_limit {REAL} NOT NULL,
    entrusted_minor BIGINT NOT NULL,
    value_minor BIGINT NOT NULL,
    loss_minor BIGINT NOT NULL,
    orders_cancelled INTEGER NOT NULL,
    reauthorised_by TEXT NOT NULL DEFAULT '',
    reauthorised_note TEXT NOT NULL DEFAULT '',
    reauthorised_at BIGINT NOT NULL DEFAULT 0,
    base_day INTEGER NOT NULL DEFAULT 0,
    base_minor BIGINT NOT NULL DEFAULT 0,
    UNIQUE (account_id, day)
);

-- notifications: what the client and the advisor must be told, and by when (due_at: seconds
-- since 1970-01-01 UTC; the market's close plus 30 minutes). code "N-YYYY-MM-DD-ACCOUNT-client"
-- or "-advisor": deterministic, so a re-run cannot notify twice. Audited with the suspension.
CREATE TABLE notifications (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    code TEXT NOT NULL,
    day INTEGER NOT NULL,
    recipient TEXT NOT NULL,
    recipient_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, code)
);

-- The firm's market close (minutes after local midnight) and its time zone, for the
-- notifications' due time. No row: 16:00 America/New_York. Audited (entity "risk_settings").
CREATE TABLE risk_settings (
    firm_id BIGINT PRIMARY KEY REFERENCES firms(id),
    close_minute INTEGER NOT NULL,
    zone TEXT NOT NULL,
    user_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
