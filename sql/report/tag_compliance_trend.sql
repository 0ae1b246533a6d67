-- report/tag_compliance_trend: share of each team's effective cost that is tag-compliant, for
-- the month and the five before it.
-- KPI: share_compliant = Σ compliant effective cost / Σ effective cost, both converted to the
-- reporting currency at each month's rate (so EUR and USD accounts weigh by value).
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
        compliance.total_effective_cost * tmp_rate as total_cost,
        compliance.compliant_effective_cost * tmp_rate as compliant_cost
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
        sum(total_cost) as total_cost,
        sum(compliant_cost) as compliant_cost,
        cast(sum(compliant_cost) as double) / nullif(cast(sum(total_cost) as double), 0) as share_compliant
    from converted
    group by all
)

select * from final
order by billing_month, team
