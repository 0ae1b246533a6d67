-- report/summary_totals: the month's total against the previous month and the same month a
-- year earlier, in the reporting currency and per billing currency.
-- KPI: effective = Σ effective_cost(_reporting); billed = Σ billed_cost(_reporting).
-- Grain: one row per billing month x billing currency, for $month, $month - 1 month and
-- $month - 12 months (a month without showback is absent). Parameters: $month (DATE).
with

showback as (
    select * from showback_monthly
    where billing_month in (
        $month,
        cast($month - interval 1 month as date),
        cast($month - interval 12 month as date)
    )
),

final as (
    select
        billing_month,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(billed_cost_reporting) as billed_cost_reporting,
        sum(effective_cost_reporting) as effective_cost_reporting,
        sum(effective_cost_reporting) filter (where kind = 'unallocated') as unallocated_reporting
    from showback
    group by all
)

select * from final
order by billing_month, billing_currency
