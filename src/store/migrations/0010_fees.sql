-- Fees, exactly as agreed (issue 13, docs/methodology.md#fees). A fee schedule is firm data kept
-- in versions (1, 2, ...), like the mandate: who wrote it, why, when, and the day it takes effect
-- (0: from the start). Tiers and services are kept in their text form in the firm's currency
-- (ra_fee_tiers_format, ra_fee_services_format: "0.00-1000000.00:50.00,1000000.00-:25.00",
-- "report:10.00:annual"), so that the row reads as the command that wrote it. period_months 1
-- (monthly) or 3 (quarterly); perf_rate_ppm 0: no performance fee. Audited with state images
-- (entity "fee_schedule", grouped by code).
CREATE TABLE fee_schedules (
    id {ID},
    firm_id BIGINT NOT NULL REFERENCES firms(id),
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    effective INTEGER NOT NULL,
    tiers TEXT NOT NULL,
    min_annual_minor BIGINT NOT NULL,
    monthly_minor BIGINT NOT NULL,
    services TEXT NOT NULL,
    period_months INTEGER NOT NULL,
    perf_rate_ppm BIGINT NOT NULL,
    perf_months INTEGER NOT NULL,
    perf_hurdle_ppm BIGINT NOT NULL,
    perf_benchmark TEXT NOT NULL,
    user_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (firm_id, code, version)
);

-- The firm's default schedule (an account whose mandate names none pays it; none: no fees).
-- Audited (entity "fee_settings").
CREATE TABLE fee_settings (
    firm_id BIGINT PRIMARY KEY REFERENCES firms(id),
    default_schedule TEXT NOT NULL,
    user_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The mandate's key fee_schedule ("" : the firm's default). Audited in the mandate's records
-- through its own state table mandate_fee_schedules (the versions that name one), so that the
-- images of the mandates table written before this migration stay valid.
ALTER TABLE mandates ADD COLUMN fee_schedule TEXT NOT NULL DEFAULT '';

-- One bill per account and billing period (period_end the period's last day): what was computed
-- (the figures `fees list` shows) and what was done: the fee transaction "fee-YYYY-MM-DD"
-- (period_end) of paid_minor, dated txn_day, and, when the cash was short, the withdrawal
-- instruction raised for the shortfall. perf_* hold the performance period ending with the bill
-- (perf_end 0: none), carried_loss_after its L' for the next one. Written with the transaction
-- and the instruction in one database transaction: a bill is whole or absent. Audited (entity
-- "fee_bill", grouped by account).
CREATE TABLE fee_bills (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    period_end INTEGER NOT NULL,
    period_start INTEGER NOT NULL,
    schedule TEXT NOT NULL,
    schedule_version BIGINT NOT NULL,
    days INTEGER NOT NULL,
    value_sum_minor BIGINT NOT NULL,
    asset_fee_minor BIGINT NOT NULL,
    subscription_minor BIGINT NOT NULL,
    service_minor BIGINT NOT NULL,
    perf_start INTEGER NOT NULL,
    perf_end INTEGER NOT NULL,
    perf_value_start_minor BIGINT NOT NULL,
    perf_value_end_minor BIGINT NOT NULL,
    perf_flows_minor BIGINT NOT NULL,
    perf_hurdle_ppm BIGINT NOT NULL,
    perf_profit_minor BIGINT NOT NULL,
    perf_hurdle_minor BIGINT NOT NULL,
    carried_loss_minor BIGINT NOT NULL,
    perf_fee_minor BIGINT NOT NULL,
    carried_loss_after_minor BIGINT NOT NULL,
    total_minor BIGINT NOT NULL,
    txn_day INTEGER NOT NULL,
    paid_minor BIGINT NOT NULL,
    shortfall_minor BIGINT NOT NULL,
    instruction TEXT NOT NULL,
    user_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, period_end)
){WITHOUT_ROWID};
