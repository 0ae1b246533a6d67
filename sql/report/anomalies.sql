-- report/anomalies: cost anomalies active during the month, largest impact first.
-- Grain: one row per anomaly event (cost_anomalies). Parameters: $month (DATE), $top (rows).
with

events as (
    select * from cost_anomalies
    where first_date < $month + interval 1 month
        and coalesce(last_date, last_complete_date, first_date) >= $month
),

final as (
    select
        anomaly_id,
        level,
        key,
        provider,
        currency,
        direction,
        first_date,
        last_date,
        expected_cost,
        actual_cost,
        impact,
        severity,
        cast(contributors as varchar) as contributors
    from events
)

select * from final
order by abs(impact) desc, anomaly_id
limit $top
