-- The firm's rules checked on every proposal of the daily cycle (issue 13,
-- docs/methodology.md#firm-rules).
--
-- firm_rules: versioned (a new row per change, version 1, 2, ...; the last is in force), each
-- with who set it. 0 turns a rule off; no row: every rule off. Audited (entity "firm_rules").
CREATE TABLE firm_rules (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    version INTEGER NOT NULL,
    max_weight {REAL} NOT NULL,
    exempt TEXT NOT NULL,
    max_firm_share {REAL} NOT NULL,
    min_hold_days INTEGER NOT NULL,
    max_turnover {REAL} NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, version)
);

-- fund_shares: a fund's shares outstanding as of a day (roboadvisor firm-rules shares), the
-- size the firm share cap takes a share of (the last day not after the cycle's). Audited
-- (entity "fund_shares", grouped by ticker).
CREATE TABLE fund_shares (
    id {ID},
    security_id BIGINT NOT NULL REFERENCES securities(id),
    day INTEGER NOT NULL,
    shares_micro BIGINT NOT NULL,
    UNIQUE (security_id, day)
);

-- firm_days: the day's firm-wide figures, computed once by the first run or worker of the day
-- (the coordinating step) before any account of the day is written, and read by every worker
-- afterwards: the rules' version in force, the total value the firm share cap's room is shared
-- by, the largest crowd of accounts on one identical target. firm_day_funds: per fund with
-- shares outstanding, the shares then and the firm's discretionary holdings at the day's start.
CREATE TABLE firm_days (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    day INTEGER NOT NULL,
    rules_version INTEGER NOT NULL,
    total_minor BIGINT NOT NULL,
    crowd INTEGER NOT NULL,
    crowd_account TEXT NOT NULL,
    PRIMARY KEY (firm_id, day)
);
CREATE TABLE firm_day_funds (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    day INTEGER NOT NULL,
    security_id BIGINT NOT NULL REFERENCES securities(id),
    shares_micro BIGINT NOT NULL,
    held_micro BIGINT NOT NULL,
    PRIMARY KEY (firm_id, day, security_id)
);

-- What the firm rules cut of a proposal ("" nothing): "rule TICKER side qty value; ...".
ALTER TABLE proposals ADD COLUMN firm_cuts TEXT NOT NULL DEFAULT '';
