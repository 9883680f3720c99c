-- Envelope encryption of clients' personal data, and the comments on proposals (issue 15;
-- docs/methodology.md#envelope-encryption-and-erasure, docs/api.md).
--
-- client_keys: one random data key per client (32 bytes, libsodium), stored only wrapped by the
-- firm's key (XChaCha20-Poly1305, nonce || ciphertext+tag; associated data: firm and client code).
-- The client's personal-data columns (clients.*_enc) are encrypted under it. A client without a
-- row is a client of a book older than this migration, still under the firm's key until
-- `roboadvisor init` (with the key) re-encrypts it. `clients erase` (crypto-shredding) empties
-- wrapped, the personal-data columns and the birth year, and sets erased_at and erased_by:
-- the ciphertexts left in the audit trail can then never be decrypted again. Imaged (state table
-- "client_keys") and audited as part of the client.
CREATE TABLE client_keys (
    client_id BIGINT PRIMARY KEY REFERENCES clients(id),
    wrapped {BLOB} NOT NULL,
    created_at BIGINT NOT NULL,
    erased_at BIGINT NOT NULL DEFAULT 0,
    erased_by TEXT NOT NULL DEFAULT ''
);

-- proposal_comments: what the firm's people wrote on a proposal (POST /v1/proposals/{id}/comments),
-- numbered from 1 per proposal. The text may speak of the client: it is encrypted under the data
-- key of the account's client (body_enc, as the personal-data columns), so that erasing the
-- client erases it too. Audited (entity "proposal_comment", by proposal code).
CREATE TABLE proposal_comments (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    n INTEGER NOT NULL,
    author TEXT NOT NULL,
    body_enc {BLOB} NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, n)
);

-- client_consents: the disclosures a client accepted at onboarding (POST /v1/clients): kind
-- ("terms", "privacy", "risk-disclosure", ...) and the version of the document accepted, on
-- which day, recorded by whom. Numbered from 1 per client. Audited (entity "consent", by client).
CREATE TABLE client_consents (
    client_id BIGINT NOT NULL REFERENCES clients(id),
    n INTEGER NOT NULL,
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    accepted_on INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, n)
);
