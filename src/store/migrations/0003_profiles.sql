-- Risk profiling and each account's own agent (include/roboadvisor/onboard.h): the firm's
-- questionnaires (every version kept), each answered questionnaire, the resulting profile, the
-- versioned parameters of each account's agent and advisors' suitability overrides. Every row is
-- written together with its audit record. Independent of 0002_models: applies with or without it.
-- Dates are day numbers since 1970-01-01; created_at is Unix seconds.

CREATE TABLE questionnaires (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, code, version)
);

CREATE TABLE answered_questionnaires (
    id {ID},
    client_id BIGINT NOT NULL REFERENCES clients(id),
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires(id),
    answers TEXT NOT NULL,
    taken INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE profiles (
    id {ID},
    client_id BIGINT NOT NULL REFERENCES clients(id),
    answers_id BIGINT NOT NULL REFERENCES answered_questionnaires(id),
    tolerance_score {REAL} NOT NULL,
    capacity_score {REAL} NOT NULL,
    tolerance_level INTEGER NOT NULL,
    capacity_level INTEGER NOT NULL,
    cap INTEGER NOT NULL,
    cap_question TEXT NOT NULL,
    cap_option TEXT NOT NULL,
    level INTEGER NOT NULL,
    lang TEXT NOT NULL,
    flags TEXT NOT NULL,
    taken INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX profiles_client ON profiles (client_id, id);

CREATE TABLE agents (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    params TEXT NOT NULL,
    reason TEXT NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, version)
);

CREATE TABLE suitability_overrides (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    product TEXT NOT NULL,
    product_level INTEGER NOT NULL,
    client_level INTEGER NOT NULL,
    justification TEXT NOT NULL,
    on_date INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX suitability_overrides_account ON suitability_overrides (account_id, id);
