-- Portfolios a professional would sign (issue 14, docs/methodology.md#equilibrium-returns-and-
-- black-litterman): the firm's inputs to building models, kept in versions like the fee
-- schedules (never edited), and each built model's explanation per asset class.
--
-- model_inputs: kind 'views' (the Black-Litterman views, CSV view,assets,versus,return,
-- confidence), 'market' (the market weights by asset class, CSV asset_class,weight) or 'pins'
-- (the firm's own funds, one ticker a line, preferred when a class is filled). body is the text
-- as ra_bl_views_format / ra_bl_market_format writes it, so the row reads as the file that set
-- it. Audited (entity "model_inputs", grouped by kind).
CREATE TABLE model_inputs (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    user_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, kind, version)
);

-- A two-stage model's classes: the class's market weight, equilibrium return pi, posterior
-- return mu (mu - pi is the views' effect), its weight in the model, the standard deviation of
-- that weight over resampled inputs (its sensitivity to estimation error) and the fund(s) that
-- fill it with the first fund's expense ratio and tracking error against the class. Imaged with the model
-- (entity "model"); models built before this migration have no rows.
CREATE TABLE model_classes (
    model_id BIGINT NOT NULL REFERENCES models(id),
    position INTEGER NOT NULL,
    asset_class TEXT NOT NULL,
    market_weight {REAL} NOT NULL,
    pi {REAL} NOT NULL,
    mu {REAL} NOT NULL,
    weight {REAL} NOT NULL,
    weight_sd {REAL} NOT NULL,
    fund TEXT NOT NULL,
    expense_ratio {REAL} NOT NULL,
    tracking_error {REAL} NOT NULL,
    PRIMARY KEY (model_id, position)
){WITHOUT_ROWID};
