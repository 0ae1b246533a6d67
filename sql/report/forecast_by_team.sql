-- report/forecast_by_team: the latest month-end forecast per team for an open month, with its
-- 80% interval, in the reporting currency. Read only when the cost_forecast table exists.
-- Grain: one row per team. Parameters: $month (DATE), $reporting_currency (ISO code).
with

latest as (
    select * from cost_forecast
    where billing_month = $month and scope = 'team'
    qualify as_of_date = max(as_of_date) over ()
),

rates as (
    select from_currency, rate from exchange_rates
    where month = $month and to_currency = $reporting_currency
),

final as (
    select
        latest.key as team,
        sum(latest.forecast_month_end * coalesce(case when latest.currency = $reporting_currency then 1 end, rates.rate)) as forecast_month_end,
        sum(latest.lower_80 * coalesce(case when latest.currency = $reporting_currency then 1 end, rates.rate)) as lower_80,
        sum(latest.upper_80 * coalesce(case when latest.currency = $reporting_currency then 1 end, rates.rate)) as upper_80,
        max(latest.as_of_date) as as_of_date
    from latest
    left join rates on rates.from_currency = latest.currency
    group by latest.key
)

select * from final
