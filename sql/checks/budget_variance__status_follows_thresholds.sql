-- Check budget_variance: status and variance follow the configured thresholds
-- ($at_risk_at, $over_budget_at) and each row's figures. Returns the failing rows.
select team, budget, actual_to_date, forecast_month_end, variance, status
from budget_variance
where billing_month = $billing_month
    and (
        status is distinct from case
            when actual_to_date > budget or forecast_month_end > budget * $over_budget_at
                then 'over budget'
            when forecast_month_end > 0 and forecast_month_end >= budget * $at_risk_at
                    then 'at risk'
            else 'on track'
        end
        or variance <> forecast_month_end - budget
    )
