-- The HTTP API's keys and idempotency records (issue 15; docs/api.md, include/roboadvisor/store_api.h).
--
-- api_keys: one row per key handed out by `roboadvisor keys create`. The key itself
-- ("ra_<code>_<secret>") is printed once and never stored: code is its public half (the row's
-- name in lists, logs and the audit trail), hash the keyed BLAKE2b of the secret under the row's
-- own random salt (hex). role is admin, advisor, client or auditor; user_name the advisor's or
-- client's code the key acts for ("" for admin and auditor keys). expires_at and revoked_at are
-- Unix seconds, 0 for never / not revoked. Audited (entity "api_key", by code).
CREATE TABLE api_keys (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    user_name TEXT NOT NULL,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL DEFAULT 0,
    revoked_by TEXT NOT NULL DEFAULT ''
);

-- idempotency: the response to each POST that carried an Idempotency-Key, per API key, written in
-- the same transaction as the POST's work so that a retry finds either nothing (the work was not
-- done) or the stored response (it was, and is not done again). request_hash is the BLAKE2b of
-- the method, path and body: the same key with another request is a conflict. Not audited: the
-- work itself is.
CREATE TABLE idempotency (
    key_id BIGINT NOT NULL REFERENCES api_keys(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, idem_key)
);
