-- Check cost_forecast: every forecast has both intervals, ordered
-- lower_95 <= lower_80 <= forecast_month_end <= upper_80 <= upper_95 (no NULLs).
-- Returns the failing rows.
select scope, key, forecast_month_end, lower_80, upper_80, lower_95, upper_95, model
from cost_forecast
where billing_month = $billing_month
    and (
        lower_80 is null or upper_80 is null or lower_95 is null or upper_95 is null
        or not (
            lower_95 <= lower_80
            and lower_80 <= forecast_month_end
            and forecast_month_end <= upper_80
            and upper_80 <= upper_95
        )
    )
