-- report/waste_totals: findings and estimated savings per check and currency for the month.
-- Findings of one resource can overlap (see each finding's assumptions): not a sum to bank.
-- Grain: one row per check x billing currency. Parameters: $month (DATE).
select
    check_name,
    billing_currency,
    count(*) as findings,
    sum(estimated_monthly_savings) as estimated_monthly_savings
from waste_findings
where billing_month = $month
group by all
order by estimated_monthly_savings desc
