-- report/showback_by_team: each team's showback for the month in the reporting currency,
-- against the previous month.
-- KPI: total = direct + shared + unallocated (effective cost); change = total - previous_total;
--      change_pct = change / |previous_total| (NULL without a previous month).
-- billed_unallocated: the unallocated part of billed_total (section 5 explains the gap).
-- Grain: one row per team (teams of either month). Reads showback_monthly.
-- Parameters: $month (DATE, first of month).
with

showback as (
    select * from showback_monthly
    where billing_month in ($month, cast($month - interval 1 month as date))
),

teams as (
    select
        team,
        coalesce(sum(effective_cost_reporting) filter (where billing_month = $month and kind = 'direct'), 0) as direct,
        coalesce(sum(effective_cost_reporting) filter (where billing_month = $month and kind = 'shared'), 0) as shared,
        coalesce(sum(effective_cost_reporting) filter (where billing_month = $month and kind = 'unallocated'), 0) as unallocated,
        coalesce(sum(effective_cost_reporting) filter (where billing_month = $month), 0) as total,
        coalesce(sum(billed_cost_reporting) filter (where billing_month = $month), 0) as billed_total,
        coalesce(sum(billed_cost_reporting) filter (where billing_month = $month and kind = 'unallocated'), 0) as billed_unallocated,
        sum(effective_cost_reporting) filter (where billing_month <> $month) as previous_total
    from showback
    group by team
),

final as (
    select
        *,
        total - previous_total as change,
        cast(total - previous_total as double) / nullif(abs(cast(previous_total as double)), 0) as change_pct
    from teams
)

select * from final
order by team = 'unallocated', total desc, team
