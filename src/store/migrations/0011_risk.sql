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

-- The firm's rule library (roboadvisor rules set|list|show): a condition and an action per code,
-- as text in the grammar of include/roboadvisor/riskrules.h (stored in its canonical form).
-- Audited (entity "risk_rule", grouped by code).
CREATE TABLE risk_rules (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    cond TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    user_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (firm_id, code)
);

-- Each mandate picks its rules: codes joined by ',' ("" none), a key of the mandate's versions.
ALTER TABLE mandates ADD COLUMN rules TEXT NOT NULL DEFAULT '';

-- Every firing of a rule on an account at a day's close, with the data that triggered it (the
-- measure's value, the security a move fired on) and the action taken. Written by the daily
-- cycle with the account's day (one transaction, UNIQUE (account_id, day, rule)). Audited with the
-- account's risk records (entity "risk").
CREATE TABLE rule_firings (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    day INTEGER NOT NULL,
    rule TEXT NOT NULL,
    cond TEXT NOT NULL,
    action TEXT NOT NULL,
    observed {REAL},
    subject TEXT NOT NULL,
    UNIQUE (account_id, day, rule)
);

-- Events a rule's condition event(NAME) looks for: recorded for an account, or for the whole
-- firm (account_id 0), on a day (roboadvisor rules event). Audited (entity "risk_event").
CREATE TABLE risk_events (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    account_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    day INTEGER NOT NULL,
    note TEXT NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, account_id, name, day)
);
