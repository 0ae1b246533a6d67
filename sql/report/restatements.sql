-- report/restatements: what changed after a month was reported: each reported month x team
-- whose showback now differs from the last report of that month (report_log).
-- KPI: change = now - reported (effective cost, reporting currency; a team-month lacking an
-- exchange rate per billing currency, as report/showback_basis.sql); shown when |change| >= 0.005.
-- Grain: one row per billing month x team x currency. Parameters: $month (DATE): months up to it.
with

reported as (
    select * from report_log
    where billing_month <= $month
    qualify generated_at = max(generated_at) over (partition by billing_month)
),

basis as (
    select billing_month, team, bool_and(effective_cost_reporting is not null) as is_reporting
    from showback_monthly
    where billing_month in (select distinct billing_month from reported)
    group by all
),

current_showback as (
    select
        showback.billing_month,
        showback.team,
        case
            when basis.is_reporting then showback.reporting_currency
            else showback.billing_currency
        end as reporting_currency,
        sum(
            case
                when basis.is_reporting then showback.effective_cost_reporting
                else showback.effective_cost
            end
        ) as effective_cost_reporting
    from showback_monthly as showback
    inner join basis
        on showback.billing_month = basis.billing_month
        and showback.team = basis.team
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
            - coalesce(reported.effective_cost_reporting, 0) as change,
        coalesce(reported.reporting_currency, current_showback.reporting_currency) as currency
    from reported
    full outer join current_showback
        on current_showback.billing_month = reported.billing_month
        and current_showback.team = reported.team
        and current_showback.reporting_currency = reported.reporting_currency
)

select * from final
where abs(change) >= 0.005
order by billing_month, abs(change) desc, team
