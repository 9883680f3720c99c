-- Block orders and fair allocation (issue 13; docs/methodology.md#block-orders). A firm's open
-- market orders of one day for one security and side (of discretionary accounts by default) are
-- pooled into a block with a deterministic code "B-YYYY-MM-DD-TICKER-BUY|SELL" ("-F" when its
-- members trade fractional shares, "-2", "-3" ... for a later block of the same key); its members
-- are the orders it pools (order_code: orders.code of the firm), each with the quantity it put in.
-- Every fill of a block (block_fills, n = 1, 2 ...) is allocated to the members pro rata to what
-- each still has open, in whole steps (step_micro: the security's lot, or 1 micro-share for
-- fractional members), the remainder by the largest remainder with ties in a seeded random order;
-- the seed (FNV-1a 64 of "CODE/N", hex) and every member's share and tie rank are stored
-- (block_allocs), and each share is recorded as the member order's fill. fill_execs holds the FIX
-- ExecIDs imported (of orders and blocks), so that importing a file again changes nothing.
-- All five tables are audited (entity "block" by block code, "fill_exec" by ClOrdID).

CREATE TABLE blocks (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    day INTEGER NOT NULL,
    security_id BIGINT NOT NULL REFERENCES securities(id),
    side INTEGER NOT NULL,
    step_micro BIGINT NOT NULL,
    qty_micro BIGINT NOT NULL,
    filled_micro BIGINT NOT NULL,
    status TEXT NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, code)
);
CREATE INDEX blocks_day ON blocks (firm_id, day);

CREATE TABLE block_members (
    block_id BIGINT NOT NULL REFERENCES blocks(id),
    n INTEGER NOT NULL,
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    order_code TEXT NOT NULL,
    qty_micro BIGINT NOT NULL,
    PRIMARY KEY (block_id, n),
    UNIQUE (firm_id, order_code)
);

CREATE TABLE block_fills (
    block_id BIGINT NOT NULL REFERENCES blocks(id),
    n INTEGER NOT NULL,
    exec_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    qty_micro BIGINT NOT NULL,
    price BIGINT NOT NULL,
    seed TEXT NOT NULL,
    PRIMARY KEY (block_id, n)
);

CREATE TABLE block_allocs (
    block_id BIGINT NOT NULL REFERENCES blocks(id),
    fill_n INTEGER NOT NULL,
    member_n INTEGER NOT NULL,
    open_micro BIGINT NOT NULL,
    qty_micro BIGINT NOT NULL,
    tie_rank INTEGER NOT NULL,
    PRIMARY KEY (block_id, fill_n, member_n)
);

CREATE TABLE fill_execs (
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    exec_id TEXT NOT NULL,
    cl_ord_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    qty_micro BIGINT NOT NULL,
    price BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (firm_id, exec_id)
);
