-- Service tiers, routing rules and behaviour alerts (issue 13; docs/methodology.md#service-tiers,
-- #behaviour-alerts).
--
-- client_tiers: the versions of each client's tier (0 digital, 1 hybrid, 2 advisor-led), each
-- effective from the cycle of day_from. A client without a version is digital (what the cycle
-- always did). source 'set' is an advisor's decision (roboadvisor tiers set: user and note);
-- 'rule' a move by one of the firm's routing rules after the close of day_from - 1, with the rule
-- and the data that triggered it. The tier of a day is the latest version with day_from <= the
-- day, so a re-run or replay of a day sees the tier that day had. Audited (entity "tier", grouped
-- by client).
CREATE TABLE client_tiers (
    id {ID},
    client_id BIGINT NOT NULL REFERENCES clients(id),
    day_from INTEGER NOT NULL,
    tier INTEGER NOT NULL,
    source TEXT NOT NULL,
    rule TEXT NOT NULL,
    data TEXT NOT NULL,
    user_name TEXT NOT NULL,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX client_tiers_client ON client_tiers (client_id, day_from);

-- The firm's routing rules (roboadvisor tiers rules set|show|delete): when metric >= threshold
-- the client moves up to tier. No rule: nobody moves. Audited (entity "tier_rule", by code).
CREATE TABLE tier_rules (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    metric TEXT NOT NULL,
    threshold {REAL} NOT NULL,
    tier INTEGER NOT NULL,
    note TEXT NOT NULL,
    user_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (firm_id, code)
);

-- The firm's thresholds of the behaviour alerts. No row: the defaults of
-- ra_behaviour_settings_default. Audited (entity "behaviour_settings").
CREATE TABLE behaviour_settings (
    firm_id BIGINT PRIMARY KEY REFERENCES firms(id),
    window_days INTEGER NOT NULL,
    max_instructions INTEGER NOT NULL,
    drawdown_sell {REAL} NOT NULL,
    concentration {REAL} NOT NULL,
    tolerance1 {REAL} NOT NULL,
    tolerance2 {REAL} NOT NULL,
    tolerance3 {REAL} NOT NULL,
    tolerance4 {REAL} NOT NULL,
    tolerance5 {REAL} NOT NULL,
    user_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- behaviour_alerts: one row per episode of a condition on an account: raised on `day` (the first
-- close it held, with the measure and the threshold), closed on closed_day (the first close it no
-- longer held; 0 still open). Written by the cycle with the account's day, keyed by the day, so a
-- re-run writes nothing twice. Computed from the book, not audited (like daily_values).
CREATE TABLE behaviour_alerts (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    day INTEGER NOT NULL,
    closed_day INTEGER NOT NULL DEFAULT 0,
    observed {REAL} NOT NULL,
    threshold {REAL} NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (account_id, kind, day)
);
CREATE INDEX behaviour_alerts_open ON behaviour_alerts (closed_day);

-- account_peaks: the highest value of an account in a drawdown (a row only while its value is
-- below its peak: an account at its peak needs none, its previous day's value is the peak), so
-- that the cycle knows the drawdown without reading the account's history.
CREATE TABLE account_peaks (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
    peak_minor BIGINT NOT NULL,
    since_day INTEGER NOT NULL
);
