-- report/showback_basis: showback_monthly in the currency each team-month can be shown in: the
-- reporting currency when every billing currency of the team's month has an exchange rate,
-- else each billing currency on its own (its reporting amounts are NULL).
-- Grain: one row per billing month x team x kind x currency. No parameters: callers filter.
with

showback as (
    select * from showback_monthly
),

basis as (
    select
        billing_month,
        team,
        bool_and(billed_cost_reporting is not null and effective_cost_reporting is not null)
            as is_reporting
    from showback
    group by all
),

final as (
    select
        showback.billing_month,
        showback.team,
        showback.kind,
        case
            when basis.is_reporting then showback.reporting_currency
            else showback.billing_currency
        end as currency,
        basis.is_reporting,
        sum(
            case when basis.is_reporting then showback.billed_cost_reporting else showback.billed_cost end
        ) as billed_cost,
        sum(
            case
                when basis.is_reporting then showback.effective_cost_reporting
                else showback.effective_cost
            end
        ) as effective_cost
    from showback
    inner join basis
        on showback.billing_month = basis.billing_month
        and showback.team = basis.team
    group by all
)

select * from final
