-- Market rules in the securities master (issue 13; docs/methodology.md#market-rules,
-- docs/formats.md#securities). Each security may state its board or segment ("us", "main",
-- "st", "star", "chinext": the daily price-limit band), its instrument kind ("stock", "etf",
-- "bond_etf", "gold_etf", "cross_border_etf", "money_etf": the T+0 exceptions and the fund
-- tick), its tick (price micro-units), whether fractional shares are allowed (1 yes, -1 no) and
-- its settlement cycle ("T+1"). An empty text or a 0 is the exchange's default
-- (src/core/market_rules.c), so every security stored before this migration keeps the rules it
-- traded under.
ALTER TABLE securities ADD COLUMN board TEXT NOT NULL DEFAULT '';
ALTER TABLE securities ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE securities ADD COLUMN tick BIGINT NOT NULL DEFAULT 0;
ALTER TABLE securities ADD COLUMN fractional INTEGER NOT NULL DEFAULT 0;
ALTER TABLE securities ADD COLUMN settlement TEXT NOT NULL DEFAULT '';
