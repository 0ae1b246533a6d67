-- Every row of one invoice month of a BigQuery billing export, as exported (nested records
-- and repeated credits/labels kept), for the gcp-billing mapping to land.
-- Grain: one row per exported cost row of invoice month @invoice_month.
-- Bounded: rows of a month are exported on or after its first day (less two days for time
-- zones), so partitions before @partition_from are pruned.
-- Parameters: @partition_from (DATE), @invoice_month (STRING, YYYYMM).
select *
from billing_export_table
where
    _PARTITIONTIME >= timestamp(@partition_from)
    and invoice.month = @invoice_month
