-- int_forecast_daily: daily effective cost per forecast scope x key, in the reporting currency,
-- split into recurring and one-off charges (finops_pipeline/forecast/series.py).
-- Grain: one row per scope ('total' | 'provider' | 'team') x key x billing month x charge day
-- x is_one_off. Parameters: $currency (reporting currency), $one_offs (ChargeCategory values
-- forecast separately). Reads focus_costs, exchange_rates, tmp_daily_allocation. Used when every
-- billing currency has its rates (else int_forecast_daily_billing.sql, per billing currency).
with

charges as (
    select
        ProviderName as provider,
        cast(date_trunc('month', BillingPeriodStart) as date) as billing_month,
        cast(coalesce(ChargePeriodStart, BillingPeriodStart) as date) as day,
        coalesce(ChargeCategory in (select unnest($one_offs::varchar[])), false) as is_one_off,
        coalesce(EffectiveCost, 0)
        * case when BillingCurrency = $currency then 1 else rates.rate end as cost
    from focus_costs
    left join exchange_rates as rates
        on rates.month = cast(date_trunc('month', BillingPeriodStart) as date)
        and rates.from_currency = BillingCurrency
        and rates.to_currency = $currency
),

providers as (
    select 'provider' as scope, provider as key, billing_month, day, is_one_off, sum(cost) as cost
    from charges
    group by all
),

total as (
    select 'total' as scope, 'total' as key, billing_month, day, is_one_off, sum(cost) as cost
    from charges
    group by all
),

teams as (
    select
        'team' as scope,
        team as key,
        billing_month,
        day,
        coalesce(charge_category in (select unnest($one_offs::varchar[])), false) as is_one_off,
        sum(effective_cost) as cost
    from tmp_daily_allocation
    group by all
),

final as (
    select
        cast(scope as varchar) as scope,
        cast(key as varchar) as key,
        cast($currency as varchar) as currency,
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
order by scope, key, day
