-- Every row of one billing month of a FOCUS-shaped BigQuery table or view, as it is (nested
-- Tags / x_Credits / x_Project kept), for the focus mapping to land.
-- Grain: one row per FOCUS charge row whose BillingPeriodStart is @billing_period_start (the
-- exact value the changed-months query returned, so the view's time zone does not matter).
-- Bounded: on the month only. Google's view exposes no partition column, so BigQuery cannot
-- prune the underlying export's partitions through it (a view prunes only through its own
-- filters); a table partitioned or clustered on BillingPeriodStart is pruned by this filter.
-- Parameters: @billing_period_start (the type of BillingPeriodStart).
select *
from billing_export_table
where BillingPeriodStart = @billing_period_start
