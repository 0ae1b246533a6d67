-- report/rates: the exchange rates the month's reporting-currency amounts used.
-- Grain: one row per billing currency of the month, with where its rate came from.
-- Parameters: $month, $reporting_currency.
with

currencies as (
    select distinct BillingCurrency as billing_currency
    from focus_costs
    where BillingPeriodStart >= $month and BillingPeriodStart < $month + interval 1 month
),

final as (
    select
        currencies.billing_currency,
        $reporting_currency as reporting_currency,
        case when currencies.billing_currency = $reporting_currency then 1 else rates.rate end as rate,
        case
            when currencies.billing_currency = $reporting_currency then 'same currency'
            when rates.rate is null then 'no rate: `finops rates import FILE`, then `finops run`'
            -- read through to_json: warehouses built before exchange_rates had `source` lack it
            else coalesce(json_extract_string(to_json(rates), '$.source'), 'reporting.exchange_rates')
        end as source
    from currencies
    left join exchange_rates as rates
        on rates.month = $month
        and rates.from_currency = currencies.billing_currency
        and rates.to_currency = $reporting_currency
)

select * from final
order by billing_currency
