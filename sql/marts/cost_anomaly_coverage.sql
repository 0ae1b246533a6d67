-- cost_anomaly_coverage: which series the last anomaly run judged, and why not the others,
-- so a quiet key is distinguishable from an unjudged one.
-- Grain: one row per level x key x provider x currency (skipped levels: one row, key NULL).
-- Reads tmp_anomaly_coverage (registered by finops_pipeline/anomalies/build.py, which
-- replaces the whole table with this model's rows through the build runner).
with

final as (
    select
        cast(level as varchar) as level,
        cast(key as varchar) as key,
        cast(provider as varchar) as provider,
        cast(currency as varchar) as currency,
        cast(status as varchar) as status,
        cast(reason as varchar) as reason,
        cast(history_days as integer) as history_days,
        cast(anomalies as integer) as anomalies,
        cast(last_complete_date as date) as last_complete_date
    from tmp_anomaly_coverage
)

select * from final
