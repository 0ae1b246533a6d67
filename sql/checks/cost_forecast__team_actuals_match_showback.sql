-- Check cost_forecast: in a closed month, each team's actual_to_date equals its
-- showback_monthly effective_cost_reporting exactly (the forecast uses the same allocation).
-- Returns the teams that differ.
with

showback as (
    select team, sum(effective_cost_reporting) as cost
    from showback_monthly
    where billing_month = $billing_month
    group by all
),

forecasts as (
    select key as team, actual_to_date
    from cost_forecast
    where billing_month = $billing_month
        and scope = 'team'
        and horizon_days = 0
)

select forecasts.team, showback.cost, forecasts.actual_to_date
from forecasts
left join showback
    on forecasts.team = showback.team
where showback.cost is distinct from forecasts.actual_to_date
