-- Which billing months of a FOCUS-shaped BigQuery table or view changed since the last load:
-- Google's FOCUS view over the detailed billing export (its published template, which derives
-- BillingPeriodStart from invoice.month at midnight America/Los_Angeles and exposes the
-- export's export_time as x_ExportTime), or a table with that schema.
-- Grain: one row per BillingPeriodStart value (one per billing month) since @period_from.
-- Change detection: row count and sum(BilledCost) (exact: NUMERIC in Google's view) per month,
-- and max(x_ExportTime) where the view has it (`export_time_column` is replaced by that column,
-- or by a NULL timestamp when there is none); all three are compared with connector_state.
-- Bounded: BillingPeriodStart >= @period_from. A view prunes only through its own filters:
-- Google's view exposes no partition column (BillingPeriodStart is computed from
-- invoice.month), so against it this reads the referenced columns of the whole underlying
-- export; a table partitioned or clustered on BillingPeriodStart is pruned by it.
-- `billing_export_table` is replaced by the source's table or view (an identifier).
-- Parameters: @period_from (the type of BillingPeriodStart: TIMESTAMP, DATETIME or DATE).
select
    BillingPeriodStart as billing_period_start,
    count(*) as row_count,
    sum(BilledCost) as billed_cost,
    max(export_time_column) as last_export_time,
from billing_export_table
where BillingPeriodStart >= @period_from
group by billing_period_start
order by billing_period_start
