-- report/trend_by_team: each team's effective cost in the reporting currency for the twelve
-- months ending with the report's month (months without showback are simply absent).
-- KPI: total = Σ effective_cost_reporting (direct + shared + unallocated).
-- Grain: one row per billing month x team. Parameters: $month (DATE, first of month).
with

showback as (
    select * from showback_monthly
    where billing_month between cast($month - interval 11 month as date) and $month
),

final as (
    select
        billing_month,
        team,
        sum(effective_cost_reporting) as total
    from showback
    group by all
)

select * from final
order by billing_month, team = 'unallocated', team
