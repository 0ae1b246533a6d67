-- cost_anomalies: one row per cost anomaly event (one change, one row), with a stable id.
-- kind: spike | drop | level_shift | ramp | new_spend.
-- Grain: one row per event = the same change (currency, provider, direction, overlapping days,
-- a shared top contributor) seen at one or more levels; the row shows the most specific level
-- key that explains most of it and lists the others in `also_seen_at`
-- (finops_pipeline/anomalies/incidents.py). Money: the billing currency, DECIMAL(38, 4).
-- Rows are written by finops_pipeline/anomalies/build.py (statistics in detect.py) through
-- the build runner (finops_pipeline/build_runner.py); this file only declares the table.
create table if not exists cost_anomalies (
    anomaly_id varchar primary key,
    level varchar not null,
    key varchar not null,
    provider varchar,
    currency varchar not null,
    kind varchar not null,
    direction varchar not null,
    first_date date not null,
    last_date date,
    days integer not null,
    expected_cost decimal(38, 4) not null,
    actual_cost decimal(38, 4) not null,
    impact decimal(38, 4) not null,
    impact_ratio double,
    score double not null,
    severity varchar not null,
    contributors json not null,
    also_seen_at json not null,
    last_complete_date date not null,
    detected_at timestamp not null,
    updated_at timestamp not null,
    -- the first complete day by which the rule had fired and the floors were passed
    confirmed_date date,
    -- days of the key's history before first_date (a young baseline is less certain)
    baseline_days integer,
    -- siblings that moved the other way inside a parent that moved little (offsets.py)
    counter_moves json
);
