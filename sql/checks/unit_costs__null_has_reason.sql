-- Check unit_costs: cost_per_unit is NULL exactly when a null_reason says why, and is only
-- NULL when units are missing, zero or negative. Returns the failing rows of $billing_month.
select grain, period_start, dimension_value, metric, units, cost_per_unit, null_reason
from unit_costs
where billing_month = $billing_month
    and (
        (cost_per_unit is null) <> (null_reason is not null)
        or (cost_per_unit is null and units > 0)
    )
