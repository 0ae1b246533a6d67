-- Check unit_costs: per metric, the month grain's allocated_effective_cost equals
-- showback_monthly's effective_cost_reporting per team exactly, and the day grain sums to the
-- month grain exactly. Returns (metric, team, expected, month grain, day grain) that differ.
with

showback as (
    select team, sum(effective_cost_reporting) as cost
    from showback_monthly
    where billing_month = $billing_month
    group by all
),

grains as (
    select
        metric,
        dimension_value as team,
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
    select metrics.metric, showback.team, showback.cost
    from showback
    cross join metrics
)

select
    coalesce(expected.metric, grains.metric) as metric,
    coalesce(expected.team, grains.team) as team,
    expected.cost,
    grains.month_cost,
    grains.day_cost
from expected
full outer join grains
    on expected.metric = grains.metric
    and expected.team = grains.team
where coalesce(expected.cost, 0) <> coalesce(grains.month_cost, 0)
    or coalesce(grains.day_cost, 0) <> coalesce(grains.month_cost, 0)
