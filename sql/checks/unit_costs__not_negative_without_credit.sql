-- Check unit_costs: a negative cost per unit needs a credit in the same period and team
-- (credit_effective_cost < 0); anything else is a bug. Returns the failing rows.
select grain, period_start, dimension_value, metric, cost_per_unit, credit_effective_cost
from unit_costs
where billing_month = $billing_month
    and cost_per_unit < 0
    and credit_effective_cost >= 0
