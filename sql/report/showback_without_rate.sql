-- report/showback_without_rate: the month's showback in billing currencies that have no
-- exchange rate to the reporting currency (their reporting amounts are NULL), so the report
-- can show them in their own currency instead of leaving them out.
-- KPI: total = direct + shared + unallocated (effective cost, billing currency).
-- Grain: one row per billing currency x team. Reads showback_monthly.
-- Parameters: $month (DATE, first of month).
with

showback as (
    select * from showback_monthly
    where billing_month = $month
        and (effective_cost_reporting is null or billed_cost_reporting is null)
),

final as (
    select
        billing_currency,
        team,
        coalesce(sum(effective_cost) filter (where kind = 'direct'), 0) as direct,
        coalesce(sum(effective_cost) filter (where kind = 'shared'), 0) as shared,
        coalesce(sum(effective_cost) filter (where kind = 'unallocated'), 0) as unallocated,
        sum(effective_cost) as total,
        sum(billed_cost) as billed_total
    from showback
    group by all
)

select * from final
order by billing_currency, team = 'unallocated', total desc, team
