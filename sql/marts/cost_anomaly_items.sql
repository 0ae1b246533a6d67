-- cost_anomaly_items: the daily cost of each resource, usage type, region, SKU and commitment
-- coverage (CommitmentDiscountStatus) inside one anomaly's slice, from which
-- finops_pipeline/anomalies/detect.py ranks the contributors.
-- Grain: one row per dimension x value x day.
-- KPI: cost = Σ EffectiveCost by ChargePeriodStart day (the same charges as the series), summed
-- in DECIMAL and returned as DOUBLE in a fixed order (the same ranking in every run).
-- Parameters (named): $charge_categories VARCHAR[], $excluded_frequencies VARCHAR[],
-- $currency, $provider (NULL: any provider, the total level), $level (provider | service |
-- sub_account | sub_account_service | team | total), $key, $start and $end (DATE, inclusive).
with

focus as (
    select * from focus_costs
    union all by name
    select cast(null as varchar) as x_Team, cast(null as varchar) as ChargeFrequency,
        cast(null as varchar) as CommitmentDiscountStatus
    where false
),

slice as (
    select
        cast(ChargePeriodStart as date) as day,
        coalesce(ResourceId, '(none)') as tmp_resource,
        coalesce(x_UsageType, '(none)') as tmp_usage_type,
        coalesce(RegionId, '(none)') as tmp_region,
        coalesce(SkuId, '(none)') as tmp_sku,
        coalesce(CommitmentDiscountStatus, '(none)') as tmp_coverage,
        EffectiveCost as cost
    from focus
    where ChargeCategory in (select unnest($charge_categories::varchar[]))
        and coalesce(ChargeFrequency, '') not in (select unnest($excluded_frequencies::varchar[]))
        and BillingCurrency = $currency
        and ($provider::varchar is null or ProviderName = $provider)
        and case $level::varchar
            when 'provider' then ProviderName
            when 'service' then coalesce(ServiceName, '(none)')
            when 'sub_account' then coalesce(SubAccountId, '(none)')
            when 'sub_account_service'
                then coalesce(SubAccountId, '(none)') || ' / ' || coalesce(ServiceName, '(none)')
            when 'team' then coalesce(x_Team, '(untagged)')
            when 'total' then BillingCurrency
        end = $key
        and cast(ChargePeriodStart as date) between $start and $end
),

final as (
    select 'ResourceId' as dimension, tmp_resource as value, day, cast(sum(cost) as double) as cost
    from slice
    group by all
    union all
    select 'x_UsageType', tmp_usage_type, day, cast(sum(cost) as double)
    from slice
    group by all
    union all
    select 'RegionId', tmp_region, day, cast(sum(cost) as double)
    from slice
    group by all
    union all
    select 'SkuId', tmp_sku, day, cast(sum(cost) as double)
    from slice
    group by all
    union all
    select 'CommitmentDiscountStatus', tmp_coverage, day, cast(sum(cost) as double)
    from slice
    group by all
)

select * from final
order by dimension, value, day
