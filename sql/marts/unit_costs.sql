-- unit_costs: what one unit of a business metric costs a team (or product), per day and month.
-- KPI: cost_per_unit = allocated_effective_cost / units; NULL with null_reason when there are
-- no units, zero or negative units (never 0 or infinity). change_pct compares with the
-- previous day (grain 'day') or month (grain 'month'): (cpu - previous) / |previous| x 100.
-- Grain: one row per grain x period_start x dimension_value x metric x currency.
-- Currency: a team-month whose every billing currency has a rate to the reporting currency has
-- one row in the reporting currency (amount_basis 'reporting', as before); one that lacks a
-- rate has one row per billing currency instead, with that part of its cost in that currency
-- (amount_basis 'billing': the parts add up to the team's cost, the cost per unit of each part
-- is that currency's share per unit). `finops rates import` + `finops run` turn them back.
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

team_basis as (
    -- per team x month: are all its billing currencies convertible to the reporting currency?
    select
        billing_month,
        team,
        bool_and(effective_cost_reporting is not null) as is_reporting
    from showback_monthly
    where billing_month in (select billing_month from tmp_unit_scope)
    group by all
),

daily_cost as (
    select
        'day' as grain,
        daily.day as period_start,
        daily.team,
        case when basis.is_reporting then $currency else daily.billing_currency end as currency,
        case when basis.is_reporting then 'reporting' else 'billing' end as amount_basis,
        sum(case when basis.is_reporting then daily.effective_cost else daily.billing_effective_cost end)
            as cost,
        coalesce(sum(
            case when basis.is_reporting then daily.effective_cost else daily.billing_effective_cost end
        ) filter (where daily.charge_category = 'Credit'), 0) as credit
    from tmp_daily_allocation as daily
    inner join team_basis as basis
        on daily.billing_month = basis.billing_month
        and daily.team = basis.team
    where daily.billing_month in (select billing_month from tmp_unit_scope)
    group by all
),

month_credit as (
    select
        date_trunc('month', period_start) as period_start,
        team,
        currency,
        amount_basis,
        sum(credit) as credit
    from daily_cost
    group by all
),

showback_cost as (
    select
        showback.billing_month as period_start,
        showback.team,
        case when basis.is_reporting then $currency else showback.billing_currency end as currency,
        case when basis.is_reporting then 'reporting' else 'billing' end as amount_basis,
        sum(
            case
                when basis.is_reporting then showback.effective_cost_reporting
                else showback.effective_cost
            end
        ) as cost
    from showback_monthly as showback
    inner join team_basis as basis
        on showback.billing_month = basis.billing_month
        and showback.team = basis.team
    where showback.billing_month in (select billing_month from tmp_unit_scope)
    group by all
),

monthly_cost as (
    select
        'month' as grain,
        showback_cost.period_start,
        showback_cost.team,
        showback_cost.currency,
        showback_cost.amount_basis,
        showback_cost.cost,
        coalesce(month_credit.credit, 0) as credit
    from showback_cost
    left join month_credit
        on showback_cost.period_start = month_credit.period_start
        and showback_cost.team = month_credit.team
        and showback_cost.currency is not distinct from month_credit.currency
        and showback_cost.amount_basis = month_credit.amount_basis
),

costs as (
    select * from daily_cost
    union all
    select * from monthly_cost
),

cost_keys as (
    select distinct grain, period_start, team, currency, amount_basis from costs
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
    select
        cost_keys.grain,
        cost_keys.period_start,
        cost_keys.team as dimension_value,
        metric_names.metric,
        cost_keys.currency,
        cost_keys.amount_basis
    from cost_keys
    cross join metric_names
    union
    -- units without any cost in the period: cost 0 in the reporting currency
    select
        units.grain,
        units.period_start,
        units.dimension as dimension_value,
        units.metric,
        $currency as currency,
        'reporting' as amount_basis
    from units
    anti join cost_keys
        on units.grain = cost_keys.grain
        and units.period_start = cost_keys.period_start
        and units.dimension = cost_keys.team
),

joined as (
    select
        keys.grain,
        keys.period_start,
        keys.dimension_value,
        keys.metric,
        keys.currency,
        keys.amount_basis,
        coalesce(costs.cost, 0) as allocated_effective_cost,
        coalesce(costs.credit, 0) as credit_effective_cost,
        units.units
    from keys
    left join costs
        on keys.grain = costs.grain
        and keys.period_start = costs.period_start
        and keys.dimension_value = costs.team
        and keys.currency is not distinct from costs.currency
        and keys.amount_basis = costs.amount_basis
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
        and ratios.currency is not distinct from previous.currency
        and ratios.amount_basis = previous.amount_basis
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
        cast(currency as varchar) as currency,
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
        cast(credit_effective_cost as decimal(38, 12)) as credit_effective_cost,
        cast(amount_basis as varchar) as amount_basis
    from compared
    where cast(date_trunc('month', period_start) as date)
        in (select billing_month from tmp_unit_months)
)

select * from final
