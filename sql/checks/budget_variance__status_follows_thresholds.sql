-- Check budget_variance: status and variance follow the configured thresholds
-- ($at_risk_at, $over_budget_at) and each row's figures (see sql/marts/budget_variance.sql:
-- 'at risk' when the 80% upper bound crosses the budget; closed months over/under only).
-- Returns the failing rows.
select team, budget, actual_to_date, forecast_month_end, forecast_upper_80, variance, status
from budget_variance
where billing_month = $billing_month
    and (
        status is distinct from case
            when forecast_month_end is null then 'no exchange rate'
            when month_closed and actual_to_date > budget then 'over budget'
            when month_closed then 'under budget'
            when actual_to_date > budget or forecast_month_end > budget * $over_budget_at
                then 'over budget'
            when forecast_upper_80 > budget
                or (forecast_month_end > 0 and forecast_month_end >= budget * $at_risk_at)
                then 'at risk'
            else 'on track'
        end
        or variance is distinct from forecast_month_end - budget
    )
