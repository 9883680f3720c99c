-- Suitability that cannot be bypassed (issue 10): each model version keeps its rating with the
-- reasons (which rule set its level: docs/methodology.md#rating-a-model), and there is one record
-- of an advisor's override for models and securities alike: suitability_overrides gains the kind
-- of product, and a model assignment made on an override points at its override row (the
-- justification lives there only). Model overrides stored before are moved over.

ALTER TABLE models ADD COLUMN rating TEXT NOT NULL DEFAULT '{}';
ALTER TABLE suitability_overrides ADD COLUMN kind TEXT NOT NULL DEFAULT 'security';
ALTER TABLE model_assignments ADD COLUMN override_id BIGINT REFERENCES suitability_overrides(id);

INSERT INTO suitability_overrides (account_id, product, product_level, client_level,
                                   justification, on_date, user_name, created_at, kind)
SELECT a.account_id, m.code, m.level, a.client_level, a.justification, a.at / 86400, a.user_name,
       a.at, 'model'
FROM model_assignments a JOIN models m ON m.id = a.model_id WHERE a.overridden = 1;

UPDATE model_assignments SET override_id = (SELECT MAX(o.id) FROM suitability_overrides o
                                            WHERE o.account_id = model_assignments.account_id
                                              AND o.kind = 'model')
WHERE overridden = 1;
UPDATE model_assignments SET justification = '';
