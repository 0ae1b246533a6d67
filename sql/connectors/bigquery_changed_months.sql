-- Which invoice months of a BigQuery billing export changed since the last load.
-- Grain: one row per invoice month (YYYYMM) with rows exported into partitions since
-- @partition_from; max(export_time) and the row count are compared with connector_state.
-- Bounded: the _PARTITIONTIME filter prunes partitions, so a run never scans the whole table.
-- `billing_export_table` is replaced by the source's table (an identifier, never a string).
-- Parameters: @partition_from (DATE), @first_month (STRING, YYYYMM).
select
    invoice.month as invoice_month,
    max(export_time) as last_export_time,
    count(*) as row_count,
from billing_export_table
where
    _PARTITIONTIME >= timestamp(@partition_from)
    and invoice.month >= @first_month
group by invoice_month
order by invoice_month
