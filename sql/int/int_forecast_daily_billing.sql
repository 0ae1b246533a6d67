-- int_forecast_daily_billing: daily effective cost per forecast scope x key x billing currency,
-- in that billing currency (no conversion), split into recurring and one-off charges: the
-- series the forecast uses when an exchange rate to the reporting currency is missing.
-- Grain: one row per scope ('total' | 'provider' | 'team') x key x billing currency x billing
-- month x charge day x is_one_off. Parameters: $one_offs (ChargeCategory values forecast
-- separately). Reads focus_costs; for teams tmp_daily_allocation (the per-day allocation of
-- finops_pipeline/unit_costs/daily.py, whose billing-currency amounts sum to showback_monthly
-- exactly, so a closed month's actual equals showback).
with

charges as (
    select
        ProviderName as provider,
        coalesce(BillingCurrency, '') as currency,
        cast(date_trunc('month', BillingPeriodStart) as date) as billing_month,
        cast(coalesce(ChargePeriodStart, BillingPeriodStart) as date) as day,
        coalesce(ChargeCategory in (select unnest($one_offs::varchar[])), false) as is_one_off,
        coalesce(EffectiveCost, 0) as cost
    from focus_costs
),

total as (
    select 'total' as scope, 'total' as key, currency, billing_month, day, is_one_off,
        sum(cost) as cost
    from charges
    group by all
),

providers as (
    select 'provider' as scope, provider as key, currency, billing_month, day, is_one_off,
        sum(cost) as cost
    from charges
    group by all
),

teams as (
    select
        'team' as scope,
        team as key,
        coalesce(billing_currency, '') as currency,
        billing_month,
        day,
        coalesce(charge_category in (select unnest($one_offs::varchar[])), false) as is_one_off,
        sum(billing_effective_cost) as cost
    from tmp_daily_allocation
    group by all
),

final as (
    select
        cast(scope as varchar) as scope,
        cast(key as varchar) as key,
        cast(currency as varchar) as currency,
        billing_month,
        day,
        is_one_off,
        cast(cost as decimal(38, 12)) as cost
    from (
        select * from total
        union all
        select * from providers
        union all
        select * from teams
    )
)

select * from final
order by scope, key, currency, day
