-- report/completeness: is every source loaded for the month, and when did each last load?
-- Grain: one row per source (load_log), with the month's rows in focus_costs.
-- Parameters: $month (DATE, first of month).
with

loads as (
    select
        source_name,
        any_value(source_format) as source_format,
        count(*) filter (where status = 'loaded') as files_loaded,
        count(*) filter (where status = 'rejected') as files_rejected,
        max(loaded_at) as last_loaded_at,
        bool_or(status = 'loaded' and list_contains(billing_periods, $month)) as has_month
    from load_log
    group by source_name
),

month_rows as (
    select
        x_SourceName as source_name,
        any_value(ProviderName) as provider,
        count(*) as rows_in_month,
        max(ChargePeriodEnd) as last_charge_at
    from focus_costs
    where BillingPeriodStart >= $month and BillingPeriodStart < $month + interval 1 month
    group by all
),

final as (
    select
        coalesce(loads.source_name, month_rows.source_name) as source_name,
        month_rows.provider,
        loads.source_format,
        coalesce(loads.files_loaded, 0) as files_loaded,
        coalesce(loads.files_rejected, 0) as files_rejected,
        loads.last_loaded_at,
        coalesce(month_rows.rows_in_month, 0) as rows_in_month,
        month_rows.last_charge_at,
        coalesce(loads.has_month, false) or month_rows.rows_in_month is not null as has_month
    from loads
    full outer join month_rows on month_rows.source_name = loads.source_name
)

select * from final
order by source_name
