-- int_waste__commitment_coverage_gap: on-demand hours of commitment-eligible compute (AWS
-- EC2, RDS instances, Lambda; Azure VMs; GCP Compute Engine cores and RAM) (AWS CID).
-- Grain: one row per billing month x resource x billing currency.
-- Formula: savings = on-demand cost x commitment_coverage_savings (showback of the
--   uncovered cost, not a purchase recommendation).
-- Parameters (named): $period, $commitment_coverage_savings.
-- Output: the finding columns of waste_findings (billing_month, provider, check_name,
-- resource_id, sub_account_id, service_name, billing_currency, x_team, monthly_cost,
-- estimated_monthly_savings, assumptions, recommendation); the mart keeps monthly_cost > 0.
with

params as (
    select * from int_waste_params
),

month_costs as (
    select * from int_waste_month_costs
),

-- Commitment coverage gap: on-demand hours of commitment-eligible compute (EC2, RDS instances,
-- Lambda; Azure VMs; GCP Compute Engine cores and RAM). A commitment is bought for a portfolio,
-- so per resource this is showback of the uncovered cost, not a purchase recommendation.
commitment_coverage_gap as (
    select
        unnest(finops_waste_resource(
            billing_month, ProviderName, ResourceId, BillingCurrency,
            SubAccountId, ServiceName, x_Team, EffectiveCost
        )),
        'commitment_coverage_gap' as check_name,
        finops_waste_share_of(
            sum(EffectiveCost), any_value(params.commitment_coverage_savings)
        ) as estimated_monthly_savings,
        'commitment coverage gap (AWS CID): savings = on-demand cost * '
        || cast(any_value(params.commitment_coverage_savings) as double)
        || '; overlaps the other compute findings of the resource, do not add them'
            as assumptions,
        'Cover steady on-demand usage with a Savings Plan, reservation or committed use '
        || 'discount sized on the account''s baseline.' as recommendation
    from month_costs
    cross join params
    where ChargeCategory = 'Usage'
        and PricingCategory = 'Standard'
        and CommitmentDiscountId is null
        and ResourceId is not null
        and (
            (
                ProviderName = 'AWS'
                and (
                    (x_UsageType like '%BoxUsage:%' and x_UsageType not like '%SpotUsage%')
                    or (
                        x_ServiceCode = 'AmazonRDS'
                        and (x_UsageType like '%InstanceUsage:%' or x_UsageType like '%Multi-AZUsage:%')
                    )
                    or x_UsageType like '%Lambda-GB-Second%'
                )
            )
            or (ProviderName = 'Microsoft' and ServiceName = 'Virtual Machines')
            or (
                ProviderName = 'Google Cloud'
                and ServiceName = 'Compute Engine'
                and (SkuMeter like '%Instance Core%' or SkuMeter like '%Instance Ram%')
            )
        )
    group by billing_month, ProviderName, ResourceId, BillingCurrency
)

select * from commitment_coverage_gap
