-- Withdrawal instructions (issue 12): the engine never moves money out of an account on its own;
-- a withdrawal is an instruction recorded from the client or the firm (roboadvisor withdraw), due
-- on a day. The daily cycle raises the cash (sales with the reason `withdrawal`) and pays it out
-- as withdrawal transactions whose external id names the instruction ("wd-N-YYYY-MM-DD"), so the
-- amount paid is a sum over the ledger, never a second copy. A cancelled instruction records who
-- cancelled it and why. Audited with state images (entity "instruction", grouped by account).

CREATE TABLE instructions (
    id {ID},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    n INTEGER NOT NULL,
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    due INTEGER NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    cancelled_by TEXT NOT NULL DEFAULT '',
    cancelled_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (account_id, n),
    UNIQUE (account_id, code)
);

-- The firm's settings of the wash-sale rule: the window in calendar days before and after a loss
-- sale (30, the US rule; e.g. 61 for Spain's two-month rule on listed securities). No row: 30.
-- run-day and gains use it unless --window-days says otherwise. Audited (entity
-- "firm_settings").
CREATE TABLE firm_settings (
    firm_id BIGINT PRIMARY KEY REFERENCES firms(id),
    wash_window_days INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
