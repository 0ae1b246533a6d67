-- Asset check waste_findings.savings_within_cost (finops_pipeline/sql_checks.py): rows breaking a rule.
-- Grain: one row per rule x offending finding (empty when the table is sound).
-- Rules: savings are non-negative and never exceed the monthly cost; the cost is positive;
-- every finding names its assumptions and recommendation; one row per billing month x
-- provider x check x resource x currency.
-- Parameters (named): $billing_month DATE, the billing month checked (NULL: every month).
with

findings as (
    select * from waste_findings
    where $billing_month::date is null or billing_month = $billing_month
),

negative_savings as (
    select 'savings_negative' as rule, *
    from findings
    where estimated_monthly_savings < 0
),

savings_above_cost as (
    select 'savings_exceed_monthly_cost' as rule, *
    from findings
    where estimated_monthly_savings > monthly_cost
),

no_cost as (
    select 'monthly_cost_not_positive' as rule, *
    from findings
    where monthly_cost is null or monthly_cost <= 0
),

unexplained as (
    select 'assumptions_or_recommendation_missing' as rule, *
    from findings
    where coalesce(assumptions, '') = '' or coalesce(recommendation, '') = ''
),

duplicated as (
    select 'grain_duplicated' as rule, *
    from findings
    qualify count(*) over (
        partition by billing_month, provider, check_name, resource_id, billing_currency
    ) > 1
),

broken as (
    select * from negative_savings
    union all by name
    select * from savings_above_cost
    union all by name
    select * from no_cost
    union all by name
    select * from unexplained
    union all by name
    select * from duplicated
),

final as (
    select rule, billing_month, provider, check_name, resource_id, billing_currency,
        monthly_cost, estimated_monthly_savings
    from broken
)

select * from final
