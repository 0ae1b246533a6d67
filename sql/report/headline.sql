-- report/headline: what the month cost, per provider and billing currency, before allocation.
-- KPI: billed cost (invoice basis) and effective cost (amortized, after discounts), and both
-- in the reporting currency at the month's rate (exchange_rates, written by the showback build).
-- Grain: one row per provider x billing currency.
-- Parameters: $month (DATE, first of month), $reporting_currency (ISO code).
with

charges as (
    select
        ProviderName as provider,
        BillingCurrency as billing_currency,
        sum(BilledCost) as billed_cost,
        sum(EffectiveCost) as effective_cost
    from focus_costs
    where BillingPeriodStart >= $month and BillingPeriodStart < $month + interval 1 month
    group by all
),

rates as (
    select from_currency, rate from exchange_rates
    where month = $month and to_currency = $reporting_currency
),

final as (
    select
        charges.provider,
        charges.billing_currency,
        charges.billed_cost,
        charges.effective_cost,
        case when charges.billing_currency = $reporting_currency then 1 else rates.rate end
            as exchange_rate,
        charges.billed_cost * exchange_rate as billed_cost_reporting,
        charges.effective_cost * exchange_rate as effective_cost_reporting
    from charges
    left join rates on rates.from_currency = charges.billing_currency
)

select * from final
order by provider, billing_currency
