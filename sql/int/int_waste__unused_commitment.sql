-- int_waste__unused_commitment: the unused part of commitments, any provider (FOCUS).
-- Grain: one row per billing month x commitment (resource_id = CommitmentDiscountId) x
--   billing currency.
-- Formula: savings = Σ EffectiveCost where CommitmentDiscountStatus = 'Unused'.
-- Parameters (named): $period.
-- Output: the finding columns of waste_findings (billing_month, provider, check_name,
-- resource_id, sub_account_id, service_name, billing_currency, x_team, monthly_cost,
-- estimated_monthly_savings, assumptions, recommendation); the mart keeps monthly_cost > 0.
with

month_costs as (
    select * from int_waste_month_costs
),

-- Unused commitments (any provider): the amortized cost of the unused part.
unused_commitment as (
    select
        unnest(finops_waste_resource(
            billing_month, ProviderName, CommitmentDiscountId, BillingCurrency,
            SubAccountId, ServiceName, x_Team, EffectiveCost
        )),
        'unused_commitment' as check_name,
        sum(EffectiveCost) as estimated_monthly_savings,
        'unused commitment (FOCUS): Σ EffectiveCost where CommitmentDiscountStatus = Unused; '
        || 'savings = full unused cost' as assumptions,
        'Reduce or exchange the ' || coalesce(lower(min(CommitmentDiscountCategory)), '')
        || ' commitment, or move eligible usage onto it.' as recommendation
    from month_costs
    where CommitmentDiscountStatus = 'Unused' and CommitmentDiscountId is not null
    group by billing_month, ProviderName, CommitmentDiscountId, BillingCurrency
    having sum(EffectiveCost) > 0
)

select * from unused_commitment
