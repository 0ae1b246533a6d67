-- Check unit_costs: per metric, the month grain's allocated_effective_cost equals
-- showback_monthly per team and currency exactly (effective_cost_reporting for a team whose
-- every billing currency has a rate; else effective_cost per billing currency, as the model
-- does), and the day grain sums to the month grain exactly.
-- Returns (metric, team, currency, expected, month grain, day grain) that differ.
with

basis as (
    select team, bool_and(effective_cost_reporting is not null) as is_reporting
    from showback_monthly
    where billing_month = $billing_month
    group by all
),

showback as (
    select
        showback_monthly.team,
        case
            when basis.is_reporting then showback_monthly.reporting_currency
            else showback_monthly.billing_currency
        end as currency,
        sum(
            case
                when basis.is_reporting then showback_monthly.effective_cost_reporting
                else showback_monthly.effective_cost
            end
        ) as cost
    from showback_monthly
    inner join basis on showback_monthly.team = basis.team
    where showback_monthly.billing_month = $billing_month
    group by all
),

grains as (
    select
        metric,
        dimension_value as team,
        currency,
        sum(allocated_effective_cost) filter (where grain = 'month') as month_cost,
        sum(allocated_effective_cost) filter (where grain = 'day') as day_cost
    from unit_costs
    where billing_month = $billing_month
    group by all
),

metrics as (
    select distinct metric from grains
),

expected as (
    select metrics.metric, showback.team, showback.currency, showback.cost
    from showback
    cross join metrics
)

select
    coalesce(expected.metric, grains.metric) as metric,
    coalesce(expected.team, grains.team) as team,
    coalesce(expected.currency, grains.currency) as currency,
    expected.cost,
    grains.month_cost,
    grains.day_cost
from expected
full outer join grains
    on expected.metric = grains.metric
    and expected.team = grains.team
    and expected.currency is not distinct from grains.currency
where coalesce(expected.cost, 0) <> coalesce(grains.month_cost, 0)
    or coalesce(grains.day_cost, 0) <> coalesce(grains.month_cost, 0)
