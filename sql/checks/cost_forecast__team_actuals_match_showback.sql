-- Check cost_forecast: in a closed month, each team's actual_to_date equals its showback
-- exactly (the forecast uses the same allocation): showback_monthly effective_cost_reporting
-- for rows in the reporting currency (currency_basis 'reporting'), effective_cost of that
-- billing currency for rows per billing currency ('billing', a rate was missing).
-- Returns the teams that differ.
with

showback as (
    select team, 'reporting' as currency_basis, any_value(reporting_currency) as currency,
        sum(effective_cost_reporting) as cost
    from showback_monthly
    where billing_month = $billing_month
    group by team
    union all
    select team, 'billing' as currency_basis, coalesce(billing_currency, '') as currency,
        sum(effective_cost) as cost
    from showback_monthly
    where billing_month = $billing_month
    group by all
),

forecasts as (
    select key as team, currency_basis, currency, actual_to_date
    from cost_forecast
    where billing_month = $billing_month
        and scope = 'team'
        and horizon_days = 0
)

select forecasts.team, forecasts.currency, showback.cost, forecasts.actual_to_date
from forecasts
left join showback
    on forecasts.team = showback.team
    and forecasts.currency_basis = showback.currency_basis
    and forecasts.currency = showback.currency
where showback.cost is distinct from forecasts.actual_to_date
