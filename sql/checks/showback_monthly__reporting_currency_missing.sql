-- Check showback_monthly (warning): the billing currencies of $billing_month that have no
-- exchange rate to the reporting currency, so their reporting-currency amounts are NULL.
-- Returns one row per month x currency pair, with the billing-currency totals left out of
-- the reporting roll-up. The fix: `finops rates import FILE`, then `finops run`.
select
    billing_month,
    strftime(billing_month, '%Y-%m') || ' ' || coalesce(billing_currency, '(no currency)')
    || '->' || reporting_currency as pair,
    billing_currency,
    reporting_currency,
    sum(billed_cost) as billed_cost,
    sum(effective_cost) as effective_cost
from showback_monthly
where billing_month = $billing_month
    and (billed_cost_reporting is null or effective_cost_reporting is null)
group by all
order by pair
