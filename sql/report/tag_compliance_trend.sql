-- report/tag_compliance_trend: share of each team's effective cost that is tag-compliant, for
-- the month and the five before it.
-- KPI: share_compliant = Σ compliant effective cost / Σ effective cost, both converted to the
-- reporting currency at each month's rate (so EUR and USD accounts weigh by value). A team-month
-- with a billing currency that has no rate has NULL amounts; its share is then computed in the
-- billing currency when it has only one, else NULL.
-- Grain: one row per billing month x team. Parameters: $month (DATE), $reporting_currency.
with

compliance as (
    select * from tag_compliance
    where billing_month between cast($month - interval 5 month as date) and $month
),

rates as (
    select month, from_currency, rate from exchange_rates where to_currency = $reporting_currency
),

converted as (
    select
        compliance.billing_month,
        compliance.team,
        compliance.billing_currency,
        compliance.total_effective_cost,
        compliance.compliant_effective_cost,
        compliance.total_effective_cost * tmp_rate as total_cost,
        compliance.compliant_effective_cost * tmp_rate as compliant_cost,
        tmp_rate is null as is_missing_rate
    from (
        select
            compliance.*,
            case when compliance.billing_currency = $reporting_currency then 1 else rates.rate end as tmp_rate
        from compliance
        left join rates
            on rates.month = compliance.billing_month
            and rates.from_currency = compliance.billing_currency
    ) as compliance
),

final as (
    select
        billing_month,
        team,
        case when not bool_or(is_missing_rate) then sum(total_cost) end as total_cost,
        case when not bool_or(is_missing_rate) then sum(compliant_cost) end as compliant_cost,
        case
            when not bool_or(is_missing_rate)
                then cast(sum(compliant_cost) as double) / nullif(cast(sum(total_cost) as double), 0)
            when count(distinct billing_currency) = 1
                then cast(sum(compliant_effective_cost) as double)
                / nullif(cast(sum(total_effective_cost) as double), 0)
        end as share_compliant
    from converted
    group by all
)

select * from final
order by billing_month, team
