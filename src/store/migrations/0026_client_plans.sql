-- A client's saved goal plans (issue 15: "plans"; docs/api.md, docs/methodology.md#goal-plans,
-- include/roboadvisor/store_plans.h). A plan is the Monte Carlo goal plan of src/core/plan.c run
-- once on the inputs stored here, with its results stored next to them, so that showing a plan
-- never runs it again. Plans are never edited: each save is a new row with the next code of the
-- firm ("PL00000001", ...); the client's latest one supersedes the earlier ones.
--
-- Inputs: the account whose model and value were used ('' none), the amounts in the account's
-- minor units (goal, initial wealth, monthly contribution), the horizon in years, the method
-- ('lognormal'), where mu and sigma came from (source 'model': the model's stored expected
-- return and volatility, estimated on data_from..data_to; 'given': supplied by the caller), the
-- model, its version and risk level (0 none), the paths and the seed, the valuation date (as_of).
-- Results: the probability of reaching the goal and that number of paths, the mean final wealth
-- and, per plan year, the percentiles 5/25/50/75/95 of wealth in minor units (pct: years rows
-- "p5,p25,p50,p75,p95" joined by ';'; the last row is the final wealth's).
-- label_enc: an optional free-text label ("retirement at 60"), personal data, encrypted under
-- the client's data key as the clients' *_enc columns (empty: none); erasing the client leaves it
-- ciphertext under a destroyed key. Audited (entity "plan", by code; imaged as state table
-- "client_plans").
CREATE TABLE client_plans (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    client_id BIGINT NOT NULL REFERENCES clients(id),
    code TEXT NOT NULL,
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    minor_digits INTEGER NOT NULL,
    goal_minor BIGINT NOT NULL,
    initial_minor BIGINT NOT NULL,
    monthly_minor BIGINT NOT NULL,
    years INTEGER NOT NULL,
    method TEXT NOT NULL,
    source TEXT NOT NULL,
    model TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    risk_level INTEGER NOT NULL,
    mu {REAL} NOT NULL,
    sigma {REAL} NOT NULL,
    data_from INTEGER NOT NULL,
    data_to INTEGER NOT NULL,
    as_of INTEGER NOT NULL,
    paths BIGINT NOT NULL,
    seed BIGINT NOT NULL,
    probability {REAL} NOT NULL,
    n_hits BIGINT NOT NULL,
    mean_minor BIGINT NOT NULL,
    pct TEXT NOT NULL,
    label_enc {BLOB} NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, code)
);
CREATE INDEX client_plans_client ON client_plans (client_id, code);
