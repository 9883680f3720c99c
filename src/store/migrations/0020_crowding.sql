-- Anti-crowding in every proposal of the daily cycle (issue 13, docs/methodology.md#anti-
-- crowding-in-the-cycle): at most max_identical accounts on one identical target.
--
-- firm_rules gains the limit (0 off; default 3, the seed's limit) and the tracking-error budget
-- of a variant against the account's own target (annual, default 0.005). Rows set before this
-- migration take the defaults. Imaged apart (state table "firm_crowding") only where a version
-- differs from the defaults, so that older books' images stay as they were.
ALTER TABLE firm_rules ADD COLUMN max_identical INTEGER NOT NULL DEFAULT 3;
ALTER TABLE firm_rules ADD COLUMN crowd_te_budget {REAL} NOT NULL DEFAULT 0.005;

-- The day's crowd figures (the coordinating step): crowd (existing) is the largest number of
-- accounts on one identical target after the variants; crowd_base before them; varied the
-- accounts on a variant; unmet the accounts left on a target shared by more than the limit
-- because no variant within the budget was left.
ALTER TABLE firm_days ADD COLUMN crowd_base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE firm_days ADD COLUMN varied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE firm_days ADD COLUMN unmet INTEGER NOT NULL DEFAULT 0;

-- An account's variant in force from from_day until to_day (NULL: still in force): the move of
-- weight delta from security from_id to security to_id applied to its personalised target, the
-- variant's number within its crowd, and the crowd's base target as a hash (FNV-1a 64 of its
-- tickers and weights), so that an account keeps its variant while its base target is the same.
-- Written by the coordinating step with the day's figures; derived, not audited (like firm_days).
CREATE TABLE account_variants (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    from_day INTEGER NOT NULL,
    to_day INTEGER,
    base TEXT NOT NULL,
    variant INTEGER NOT NULL,
    from_id BIGINT NOT NULL REFERENCES securities(id),
    to_id BIGINT NOT NULL REFERENCES securities(id),
    delta {REAL} NOT NULL,
    PRIMARY KEY (account_id, from_day)
);
CREATE INDEX account_variants_open ON account_variants (firm_id, to_day, from_day);
