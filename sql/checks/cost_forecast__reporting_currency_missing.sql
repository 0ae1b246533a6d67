-- Check cost_forecast (warning): the (month, billing currency -> reporting currency) pairs
-- without an exchange rate among the months the forecast of $billing_month used (its
-- history window up to the month itself). While any is missing the forecast is per billing
-- currency and its `*_reporting` columns are NULL where the month has no rate; budgets of
-- teams with such cost say 'no exchange rate'. Fix: add the rates (reporting.exchange_rates).
-- Returns one row per missing pair.
with

forecast as (
    select
        any_value(reporting_currency) as reporting_currency,
        cast(date_trunc('month', min(as_of_date - history_days)) as date) as first_month
    from cost_forecast
    where billing_month = $billing_month
),

pairs as (
    select distinct
        cast(date_trunc('month', BillingPeriodStart) as date) as month,
        BillingCurrency as from_currency
    from focus_costs
),

final as (
    select pairs.month, pairs.from_currency, forecast.reporting_currency as to_currency
    from pairs
    cross join forecast
    where forecast.reporting_currency is not null
        and pairs.month between coalesce(forecast.first_month, $billing_month) and $billing_month
        and pairs.from_currency is distinct from forecast.reporting_currency
        and not exists (
            select 1 from exchange_rates as rates
            where rates.month = pairs.month
                and rates.from_currency = pairs.from_currency
                and rates.to_currency = forecast.reporting_currency
        )
)

select * from final
order by month, from_currency
