-- The book of record: firms, advisors, households, clients, securities, accounts with their
-- mandates and persisted ledger state (cash, next lot id, totals), lots, transactions, prices,
-- dividends, splits and the hash-chained audit trail. Dates are day numbers since 1970-01-01,
-- money minor units, quantities micro-shares, prices micro-units (docs/internals/store.md).
-- Placeholders: {ID} auto-increment primary key, {BLOB} binary, {REAL} double, {WITHOUT_ROWID}.

CREATE TABLE firms (
    id {ID},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    minor_digits INTEGER NOT NULL,
    key_check TEXT NOT NULL
);

CREATE TABLE advisors (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    name_enc {BLOB} NOT NULL,
    email_enc {BLOB} NOT NULL,
    UNIQUE (firm_id, code)
);

CREATE TABLE households (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    UNIQUE (firm_id, code)
);

CREATE TABLE clients (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households(id),
    advisor_id BIGINT REFERENCES advisors(id),
    name_enc {BLOB} NOT NULL,
    email_enc {BLOB} NOT NULL,
    tax_id_enc {BLOB} NOT NULL,
    address_enc {BLOB} NOT NULL,
    birth_year INTEGER NOT NULL,
    UNIQUE (firm_id, code)
);

CREATE TABLE securities (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    ticker TEXT NOT NULL,
    name TEXT NOT NULL,
    asset_class TEXT NOT NULL,
    risk_level INTEGER NOT NULL,
    expense_ratio {REAL} NOT NULL,
    lot_size BIGINT NOT NULL,
    exchange TEXT NOT NULL,
    currency TEXT NOT NULL,
    tlh_group TEXT NOT NULL,
    on_shelf INTEGER NOT NULL,
    incomplete INTEGER NOT NULL,
    UNIQUE (firm_id, ticker)
);

CREATE TABLE accounts (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    client_id BIGINT NOT NULL REFERENCES clients(id),
    type INTEGER NOT NULL,
    currency TEXT NOT NULL,
    minor_digits INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    model TEXT NOT NULL,
    discretionary INTEGER NOT NULL,
    drift_band {REAL} NOT NULL,
    tlh_enabled INTEGER NOT NULL,
    loss_limit {REAL} NOT NULL,
    restrictions TEXT NOT NULL,
    cash_minor BIGINT NOT NULL DEFAULT 0,
    next_lot_id BIGINT NOT NULL DEFAULT 1,
    n_txns BIGINT NOT NULL DEFAULT 0,
    cash_in_minor BIGINT NOT NULL DEFAULT 0,
    cash_out_minor BIGINT NOT NULL DEFAULT 0,
    basis_in_minor BIGINT NOT NULL DEFAULT 0,
    basis_sold_minor BIGINT NOT NULL DEFAULT 0,
    basis_out_minor BIGINT NOT NULL DEFAULT 0,
    proceeds_minor BIGINT NOT NULL DEFAULT 0,
    gain_short_minor BIGINT NOT NULL DEFAULT 0,
    gain_long_minor BIGINT NOT NULL DEFAULT 0,
    UNIQUE (firm_id, code)
);

CREATE TABLE lots (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    lot_id BIGINT NOT NULL,
    security_id BIGINT NOT NULL REFERENCES securities(id),
    acquired INTEGER NOT NULL,
    qty_micro BIGINT NOT NULL CHECK (qty_micro > 0),
    basis_minor BIGINT NOT NULL CHECK (basis_minor >= 0),
    PRIMARY KEY (account_id, lot_id)
){WITHOUT_ROWID};

CREATE TABLE txns (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    seq BIGINT NOT NULL,
    external_id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    day INTEGER NOT NULL,
    security_id BIGINT REFERENCES securities(id),
    qty_micro BIGINT NOT NULL,
    price BIGINT NOT NULL,
    amount_minor BIGINT NOT NULL,
    fees_minor BIGINT NOT NULL,
    relief INTEGER NOT NULL,
    split_num BIGINT NOT NULL,
    split_den BIGINT NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (account_id, external_id),
    UNIQUE (account_id, seq)
);

CREATE TABLE prices (
    security_id BIGINT NOT NULL REFERENCES securities(id),
    day INTEGER NOT NULL,
    price BIGINT NOT NULL,
    PRIMARY KEY (security_id, day)
){WITHOUT_ROWID};

CREATE TABLE dividends (
    security_id BIGINT NOT NULL REFERENCES securities(id),
    day INTEGER NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (security_id, day)
){WITHOUT_ROWID};

CREATE TABLE splits (
    security_id BIGINT NOT NULL REFERENCES securities(id),
    day INTEGER NOT NULL,
    num BIGINT NOT NULL,
    den BIGINT NOT NULL,
    PRIMARY KEY (security_id, day)
){WITHOUT_ROWID};

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    user_name TEXT NOT NULL,
    firm TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- The chain's head: the last seq and hash, so that deleting the newest records is detected too.
-- Writers update it first, which serialises appends on both backends.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
