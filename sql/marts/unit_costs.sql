-- unit_costs: what one unit of a business metric costs a team (or product), per day and month.
-- KPI: cost_per_unit = allocated_effective_cost / units; NULL with null_reason when there are
-- no units, zero or negative units (never 0 or infinity). change_pct compares with the
-- previous day (grain 'day') or month (grain 'month'): (cpu - previous) / |previous| x 100.
-- Grain: one row per grain x period_start x dimension_value x metric.
-- Parameters: $dimension (the allocation dimension, e.g. team), $currency (reporting
-- currency), $last_day (the last charge day loaded: later metric days are not costed yet).
-- Reads tmp_unit_months (months being built), tmp_unit_scope (those and the month before,
-- for the previous period), tmp_daily_allocation (unit_costs/daily.py), showback_monthly
-- (the month grain is its effective_cost_reporting, so months conserve it exactly) and
-- tmp_business_metrics (the metrics file).
with

metric_names as (
    select distinct metric from tmp_business_metrics
    where metric is not null
),

daily_cost as (
    select
        'day' as grain,
        day as period_start,
        team,
        sum(effective_cost) as cost,
        coalesce(sum(effective_cost) filter (where charge_category = 'Credit'), 0) as credit
    from tmp_daily_allocation
    where billing_month in (select billing_month from tmp_unit_scope)
    group by all
),

month_credit as (
    select
        date_trunc('month', period_start) as period_start,
        team,
        sum(credit) as credit
    from daily_cost
    group by all
),

monthly_cost as (
    select
        'month' as grain,
        showback.billing_month as period_start,
        showback.team,
        sum(showback.effective_cost_reporting) as cost,
        coalesce(any_value(month_credit.credit), 0) as credit
    from showback_monthly as showback
    left join month_credit
        on showback.billing_month = month_credit.period_start
        and showback.team = month_credit.team
    where showback.billing_month in (select billing_month from tmp_unit_scope)
    group by all
),

costs as (
    select * from daily_cost
    union all
    select * from monthly_cost
),

metric_days as (
    select * from tmp_business_metrics
    where date <= $last_day
        and cast(date_trunc('month', date) as date) in (select billing_month from tmp_unit_scope)
        and dimension is not null
        and metric is not null
),

units as (
    select 'day' as grain, date as period_start, dimension, metric, sum(value) as units
    from metric_days
    group by all
    union all
    select
        'month' as grain,
        cast(date_trunc('month', date) as date) as period_start,
        dimension,
        metric,
        sum(value) as units
    from metric_days
    group by all
),

keys as (
    select costs.grain, costs.period_start, costs.team as dimension_value, metric_names.metric
    from costs
    cross join metric_names
    union
    select grain, period_start, dimension as dimension_value, metric
    from units
),

joined as (
    select
        keys.grain,
        keys.period_start,
        keys.dimension_value,
        keys.metric,
        coalesce(costs.cost, 0) as allocated_effective_cost,
        coalesce(costs.credit, 0) as credit_effective_cost,
        units.units
    from keys
    left join costs
        on keys.grain = costs.grain
        and keys.period_start = costs.period_start
        and keys.dimension_value = costs.team
    left join units
        on keys.grain = units.grain
        and keys.period_start = units.period_start
        and keys.dimension_value = units.dimension
        and keys.metric = units.metric
),

ratios as (
    select
        *,
        case
            when units > 0
                then cast(
                    cast(allocated_effective_cost as double) / cast(units as double)
                    as decimal(38, 12)
                )
        end as cost_per_unit,
        case
            when units is null
                then 'no units: the metrics have no ' || metric || ' for ' || dimension_value
                || ' in this period'
            when units = 0 then 'zero units: ' || metric || ' is 0 for this period'
            when units < 0 then 'negative units: check ' || metric || ' in the metrics file'
        end as null_reason
    from joined
),

compared as (
    select
        ratios.*,
        previous.cost_per_unit as previous_cost_per_unit
    from ratios
    left join ratios as previous
        on ratios.grain = previous.grain
        and ratios.dimension_value = previous.dimension_value
        and ratios.metric = previous.metric
        and previous.period_start = case
            when ratios.grain = 'day' then ratios.period_start - interval 1 day
            else ratios.period_start - interval 1 month
        end
),

final as (
    select
        cast(grain as varchar) as grain,
        cast(period_start as date) as period_start,
        cast(date_trunc('month', period_start) as date) as billing_month,
        cast($dimension as varchar) as dimension,
        cast(dimension_value as varchar) as dimension_value,
        cast(metric as varchar) as metric,
        cast($currency as varchar) as currency,
        cast(allocated_effective_cost as decimal(38, 12)) as allocated_effective_cost,
        cast(units as decimal(38, 12)) as units,
        cast(cost_per_unit as decimal(38, 12)) as cost_per_unit,
        cast(null_reason as varchar) as null_reason,
        cast(previous_cost_per_unit as decimal(38, 12)) as previous_cost_per_unit,
        cast(
            case
                when previous_cost_per_unit <> 0 and cost_per_unit is not null
                    then (cast(cost_per_unit as double) - cast(previous_cost_per_unit as double))
                    / abs(cast(previous_cost_per_unit as double)) * 100
            end as double
        ) as change_pct,
        cast(credit_effective_cost as decimal(38, 12)) as credit_effective_cost
    from compared
    where cast(date_trunc('month', period_start) as date)
        in (select billing_month from tmp_unit_months)
)

select * from final
