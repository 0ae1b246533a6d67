-- report/restatements: what changed after a month was reported: each reported month x team
-- whose showback now differs from the last report of that month (report_log).
-- KPI: change = now - reported (effective cost, reporting currency); shown when |change| >= 0.005.
-- Grain: one row per billing month x team. Parameters: $month (DATE): months up to it.
with

reported as (
    select * from report_log
    where billing_month <= $month
    qualify generated_at = max(generated_at) over (partition by billing_month)
),

current_showback as (
    select billing_month, team, sum(effective_cost_reporting) as effective_cost_reporting
    from showback_monthly
    where billing_month in (select distinct billing_month from reported)
    group by all
),

final as (
    select
        coalesce(reported.billing_month, current_showback.billing_month) as billing_month,
        coalesce(reported.team, current_showback.team) as team,
        max(reported.generated_at) over (
            partition by coalesce(reported.billing_month, current_showback.billing_month)
        ) as reported_at,
        coalesce(reported.effective_cost_reporting, 0) as reported,
        coalesce(current_showback.effective_cost_reporting, 0) as now,
        coalesce(current_showback.effective_cost_reporting, 0)
            - coalesce(reported.effective_cost_reporting, 0) as change
    from reported
    full outer join current_showback
        on current_showback.billing_month = reported.billing_month
        and current_showback.team = reported.team
)

select * from final
where abs(change) >= 0.005
order by billing_month, abs(change) desc, team
