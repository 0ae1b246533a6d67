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

-- The dimensions a contributor is ranked on, each with the slice column holding its value.
dimensions as (
    select * from (
        values ('ResourceId'), ('x_UsageType'), ('RegionId'), ('SkuId'),
            ('CommitmentDiscountStatus')
    ) as t(dimension)
),

final as (
    select
        dimensions.dimension,
        case dimensions.dimension
            when 'ResourceId' then slice.tmp_resource
            when 'x_UsageType' then slice.tmp_usage_type
            when 'RegionId' then slice.tmp_region
            when 'SkuId' then slice.tmp_sku
            when 'CommitmentDiscountStatus' then slice.tmp_coverage
        end as value,
        slice.day,
        cast(sum(slice.cost) as double) as cost
    from slice
    cross join dimensions
    group by all
)

select * from final
order by dimension, value, day
