-- budget_variance: each team's budget against its actual to date and month-end forecast.
-- KPI: variance = forecast_month_end - budget; variance_pct = variance / budget x 100 (NULL
-- for a zero budget). status, open month: 'over budget' when the actual already exceeds the
-- budget or forecast_month_end > budget x $over_budget_at; 'at risk' when the 80% interval's
-- upper bound crosses the budget (forecast_upper_80 > budget) or forecast_month_end >=
-- budget x $at_risk_at (and above 0); else 'on track'. Closed month (month_closed): 'over
-- budget' or 'under budget' on the actual alone. 'no exchange rate': the team has cost in a
-- billing currency without a rate to the reporting currency, so its reporting-currency
-- figures (and variance) are NULL (cost_forecast's `*_reporting` columns).
-- Grain: one row per billing month x budgeted team (teams without a budget are left out).
-- Parameters: $at_risk_at, $over_budget_at (finops.yaml forecast.*), $currency.
-- Reads tmp_budgets (finops_pipeline/forecast/budgets.py) and cost_forecast (team scope, its
-- rows per billing currency summed in the reporting currency); a budgeted team with no cost
-- that month has actual and forecast 0. Months without forecast rows (not started yet) are
-- left out.
with

budgets as (
    select * from tmp_budgets
    where billing_month in (select distinct billing_month from cost_forecast)
),

forecasts as (
    select
        billing_month,
        key,
        max(as_of_date) as as_of_date,
        max(horizon_days) = 0 as month_closed,
        string_agg(distinct model, ', ' order by model) as model,
        -- summed over billing currencies only when every one has its reporting amount
        case when count(*) = count(forecast_month_end_reporting)
            then sum(actual_to_date_reporting) end as actual_to_date,
        case when count(*) = count(forecast_month_end_reporting)
            then sum(forecast_month_end_reporting) end as forecast_month_end,
        case when count(*) = count(forecast_month_end_reporting)
            then sum(lower_80_reporting) end as lower_80,
        case when count(*) = count(forecast_month_end_reporting)
            then sum(upper_80_reporting) end as upper_80,
        case when count(*) = count(forecast_month_end_reporting)
            then sum(lower_95_reporting) end as lower_95,
        case when count(*) = count(forecast_month_end_reporting)
            then sum(upper_95_reporting) end as upper_95
    from cost_forecast
    where scope = 'team'
    group by all
),

months as (
    select
        billing_month,
        max(as_of_date) as as_of_date,
        max(horizon_days) = 0 as month_closed
    from cost_forecast
    where scope = 'total'
    group by all
),

joined as (
    select
        budgets.billing_month,
        budgets.team,
        budgets.budget,
        coalesce(forecasts.as_of_date, months.as_of_date) as as_of_date,
        coalesce(months.month_closed, forecasts.month_closed) as month_closed,
        case when forecasts.key is null then 0 else forecasts.actual_to_date end
            as actual_to_date,
        case when forecasts.key is null then 0 else forecasts.forecast_month_end end
            as forecast_month_end,
        case when forecasts.key is null then 0 else forecasts.lower_80 end as forecast_lower_80,
        case when forecasts.key is null then 0 else forecasts.upper_80 end as forecast_upper_80,
        case when forecasts.key is null then 0 else forecasts.lower_95 end as forecast_lower_95,
        case when forecasts.key is null then 0 else forecasts.upper_95 end as forecast_upper_95,
        coalesce(forecasts.model, 'none (no cost)') as model
    from budgets
    left join forecasts
        on budgets.billing_month = forecasts.billing_month
        and budgets.team = forecasts.key
    left join months
        on budgets.billing_month = months.billing_month
),

final as (
    select
        cast(billing_month as date) as billing_month,
        cast(team as varchar) as team,
        cast($currency as varchar) as currency,
        cast(budget as decimal(38, 12)) as budget,
        cast(actual_to_date as decimal(38, 12)) as actual_to_date,
        cast(forecast_month_end as decimal(38, 12)) as forecast_month_end,
        cast(forecast_lower_80 as decimal(38, 12)) as forecast_lower_80,
        cast(forecast_upper_80 as decimal(38, 12)) as forecast_upper_80,
        cast(forecast_lower_95 as decimal(38, 12)) as forecast_lower_95,
        cast(forecast_upper_95 as decimal(38, 12)) as forecast_upper_95,
        cast(forecast_month_end - budget as decimal(38, 12)) as variance,
        cast(
            case
                when budget <> 0
                    then cast(forecast_month_end - budget as double) / cast(budget as double) * 100
            end as double
        ) as variance_pct,
        cast(
            case
                when forecast_month_end is null then 'no exchange rate'
                when month_closed and actual_to_date > budget then 'over budget'
                when month_closed then 'under budget'
                when actual_to_date > budget or forecast_month_end > budget * $over_budget_at
                    then 'over budget'
                when forecast_upper_80 > budget
                    or (forecast_month_end > 0 and forecast_month_end >= budget * $at_risk_at)
                    then 'at risk'
                else 'on track'
            end as varchar
        ) as status,
        cast(as_of_date as date) as as_of_date,
        cast(model as varchar) as model,
        cast(cast(forecast_month_end as double) / nullif(cast(budget as double), 0) as double)
            as forecast_to_budget,
        cast(coalesce(month_closed, false) as boolean) as month_closed
    from joined
)

select * from final
