-- int_forecast_daily_billing: daily effective cost per forecast scope x key x billing currency,
-- in that billing currency (no conversion), split into recurring and one-off charges: the
-- series the forecast uses when an exchange rate to the reporting currency is missing.
-- Grain: one row per scope ('total' | 'provider' | 'team') x key x billing currency x billing
-- month x charge day x is_one_off. Parameters: $one_offs (ChargeCategory values forecast
-- separately). Reads focus_costs; for teams tmp_daily_classified (focus_costs rows with pool
-- or owner decided per day, finops_pipeline/unit_costs/daily.py), allocation_ledger (each
-- pool's split per billing currency) and showback_monthly (each team's month in billing
-- currency: the days' rounding residual goes to the team-month's largest day, so a closed
-- month's actual equals showback exactly).
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

pool_lines as (
    select billing_month, billing_currency, pool_name, team,
        sum(effective_cost) as effective_cost, sum(billed_cost) as billed_cost
    from allocation_ledger
    where source_kind = 'pool'
    group by all
),

pool_shares as (
    select
        billing_month,
        billing_currency,
        pool_name,
        team,
        case
            when sum(effective_cost) over pool <> 0
                then cast(effective_cost as double) / cast(sum(effective_cost) over pool as double)
            when sum(billed_cost) over pool <> 0
                then cast(billed_cost as double) / cast(sum(billed_cost) over pool as double)
            else 1.0 / count(*) over pool
        end as share
    from pool_lines
    window pool as (partition by billing_month, billing_currency, pool_name)
),

team_lines as (
    select billing_month, day, team, charge_category, billing_currency, effective_cost
    from tmp_daily_classified
    where pool_name is null
    union all
    select
        classified.billing_month,
        classified.day,
        pool_shares.team,
        classified.charge_category,
        classified.billing_currency,
        cast(classified.effective_cost * pool_shares.share as decimal(38, 12))
    from tmp_daily_classified as classified
    inner join pool_shares
        on classified.billing_month = pool_shares.billing_month
        and classified.billing_currency is not distinct from pool_shares.billing_currency
        and classified.pool_name = pool_shares.pool_name
    where classified.pool_name is not null
),

team_days as (
    select
        team as key,
        coalesce(billing_currency, '') as currency,
        billing_month,
        day,
        coalesce(charge_category in (select unnest($one_offs::varchar[])), false) as is_one_off,
        cast(sum(effective_cost) as decimal(38, 12)) as cost
    from team_lines
    group by all
),

showback as (
    select team as key, coalesce(billing_currency, '') as currency, billing_month,
        sum(effective_cost) as cost
    from showback_monthly
    group by all
),

residuals as (
    select showback.key, showback.currency, showback.billing_month,
        showback.cost - coalesce(sum(team_days.cost), 0) as residual
    from showback
    left join team_days
        on showback.key = team_days.key
        and showback.currency = team_days.currency
        and showback.billing_month = team_days.billing_month
    group by showback.key, showback.currency, showback.billing_month, showback.cost
),

ranked as (
    select
        *,
        row_number() over (
            partition by key, currency, billing_month order by abs(cost) desc, day, is_one_off
        ) as tmp_rank
    from team_days
),

teams as (
    select
        'team' as scope,
        ranked.key,
        ranked.currency,
        ranked.billing_month,
        ranked.day,
        ranked.is_one_off,
        ranked.cost + case when ranked.tmp_rank = 1 then coalesce(residuals.residual, 0) else 0 end
            as cost
    from ranked
    left join residuals
        on ranked.key = residuals.key
        and ranked.currency = residuals.currency
        and ranked.billing_month = residuals.billing_month
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
