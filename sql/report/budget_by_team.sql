-- report/budget_by_team: each team's budget and variance for the month, in the reporting
-- currency. Read only when the budget_variance table exists. actual: the cost to date (the
-- month's whole cost once it is closed).
-- Grain: one row per team. Parameters: $month (DATE), $reporting_currency (ISO code).
with

budgets as (
    select * from budget_variance where billing_month = $month
),

rates as (
    select from_currency, rate from exchange_rates
    where month = $month and to_currency = $reporting_currency
),

final as (
    select
        budgets.team,
        sum(budgets.budget * case when budgets.currency = $reporting_currency then 1 else rates.rate end) as budget,
        sum(budgets.variance * case when budgets.currency = $reporting_currency then 1 else rates.rate end) as variance,
        sum(budgets.actual_to_date * case when budgets.currency = $reporting_currency then 1 else rates.rate end) as actual,
        string_agg(distinct budgets.status, ', ') as status
    from budgets
    left join rates on rates.from_currency = budgets.currency
    group by budgets.team
)

select * from final
