-- Saved goal plans on models whose returns are in excess of cash
-- (docs/methodology.md#saved-goal-plans, docs/methodology.md#the-firms-cash-rate). A two-stage
-- model built on equilibrium or Black-Litterman returns stores an expected return in excess of
-- cash; a plan on it needs the total return, so it adds the firm's cash rate.
--
-- model_settings.cash_rate: the firm's assumption of the expected long-run annual return of cash
-- (decimal, 0.03 = 3 %), the risk-free rate the equilibrium returns are measured against; NULL
-- when the firm has set none (a plan on an excess-return model is then refused, never made with
-- 0). Set with `models settings --cash-rate`, audited with the other settings (entity
-- "model_settings"), imaged apart ("model_cash_rate") and only where set, as min_adv (0027).
--
-- client_plans.cash_rate: the cash rate a plan added to its model's excess return (source
-- 'model+cash'); NULL for plans on total-return models (source 'model') and for given mu and sigma
-- (source 'given'). Imaged apart ("client_plan_cash") and only where set, so that the images of
-- the plans saved before this migration stay as they were.
ALTER TABLE model_settings ADD COLUMN cash_rate {REAL};
ALTER TABLE client_plans ADD COLUMN cash_rate {REAL};
