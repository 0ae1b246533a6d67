-- report/waste_top: the month's largest waste findings by estimated monthly savings.
-- Grain: one row per finding (waste_findings). Parameters: $month (DATE), $top (rows).
select
    check_name,
    provider,
    resource_id,
    x_Team as team,
    billing_currency,
    monthly_cost,
    estimated_monthly_savings,
    recommendation
from waste_findings
where billing_month = $month
order by estimated_monthly_savings desc, resource_id
limit $top
