-- The client's own objectives in the mandate (issue 14, docs/methodology.md#client-objectives):
-- a risk aversion as a multiple of the model's (0 or 1: the model's own), a penalty on tracking
-- error to the model, a penalty on turnover (annual return per unit of weight traded) and a limit
-- on one day's 95 % historical CVaR (0: none). All 0 by default: the account trades to its
-- model's personalised target as before. Imaged apart (state table "mandate_objectives") only for
-- the versions that set one, so that the mandates' images of older books stay as they were.
ALTER TABLE mandates ADD COLUMN risk_aversion {REAL} NOT NULL DEFAULT 0;
ALTER TABLE mandates ADD COLUMN te_penalty {REAL} NOT NULL DEFAULT 0;
ALTER TABLE mandates ADD COLUMN turnover_penalty {REAL} NOT NULL DEFAULT 0;
ALTER TABLE mandates ADD COLUMN cvar_limit {REAL} NOT NULL DEFAULT 0;
