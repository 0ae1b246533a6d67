-- report_log: the per-team totals each written report showed, so that the next report can
-- list what changed after close (sql/report/restatements.sql).
-- Grain: one row per report x team x currency (the reporting currency; a team-month lacking an
-- exchange rate per billing currency, as the report showed it). Written by
-- finops_pipeline/report/log.py.
create table if not exists report_log (
    report_id varchar not null,
    billing_month date not null,
    generated_at timestamp not null,
    team varchar not null,
    reporting_currency varchar not null,
    billed_cost_reporting decimal(38, 12) not null,
    effective_cost_reporting decimal(38, 12) not null
);
