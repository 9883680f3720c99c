-- Issue 14. The objective of a two-stage model's class stage and its CVaR (issue 14,
-- docs/methodology.md#the-cvar-objective): the objective (mean-variance, cvar: least CVaR at the
-- mean-variance return, cvar-limit: the highest return under a CVaR limit), the CVaR confidence,
-- the model's CVaR and VaR (one day's loss over the build's window, the classes' representative
-- funds as scenarios), the limit, the mean-variance allocation's return and CVaR it is compared
-- with, and the fund choice's notes (funds chosen and excluded, one a line). One row per model
-- version built with two stages after this migration; imaged with the model (entity "model").
CREATE TABLE model_objectives (
    model_id BIGINT PRIMARY KEY REFERENCES models(id),
    objective TEXT NOT NULL,
    cvar_beta {REAL} NOT NULL,
    cvar {REAL},
    value_at_risk {REAL},
    cvar_limit {REAL} NOT NULL,
    mv_return {REAL},
    mv_cvar {REAL},
    notes TEXT NOT NULL
);

-- Liquidity in the fund choice (issue 14, docs/methodology.md#two-stage-models,
-- docs/formats.md#securities): a security's average daily traded value in whole units of the
-- firm's currency (NULL: unknown, never a reason to exclude), and the firm's minimum for a fund to
-- fill a class (0: none). Imaged apart ("security_liquidity", "model_liquidity") and only where
-- set, so that the images of books older than the columns stay as they were.
ALTER TABLE securities ADD COLUMN adv BIGINT;
ALTER TABLE model_settings ADD COLUMN min_adv BIGINT NOT NULL DEFAULT 0;
