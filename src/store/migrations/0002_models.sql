-- Model portfolios (include/roboadvisor/models.h): versioned models with their weights, the firm's
-- model settings and each account's assignment to a model version (with an advisor's override).
-- Only references tables of 0001, so it applies whether or not 0003 exists.

CREATE TABLE models (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    level INTEGER NOT NULL,
    target_level INTEGER NOT NULL,
    built INTEGER NOT NULL,
    method TEXT NOT NULL,
    day_from INTEGER NOT NULL,
    day_to INTEGER NOT NULL,
    expected_return {REAL},
    volatility {REAL},
    equity_share {REAL} NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, code, version)
);

CREATE TABLE model_weights (
    model_id BIGINT NOT NULL REFERENCES models(id),
    security_id BIGINT NOT NULL REFERENCES securities(id),
    weight {REAL} NOT NULL,
    PRIMARY KEY (model_id, security_id)
){WITHOUT_ROWID};

CREATE TABLE model_settings (
    firm_id BIGINT PRIMARY KEY REFERENCES firms(id),
    shelf_only INTEGER NOT NULL
);

CREATE TABLE model_assignments (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
    model_id BIGINT NOT NULL REFERENCES models(id),
    client_level INTEGER NOT NULL,
    overridden INTEGER NOT NULL,
    justification TEXT NOT NULL,
    user_name TEXT NOT NULL,
    at BIGINT NOT NULL
);
