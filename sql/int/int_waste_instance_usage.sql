-- int_waste_instance_usage: AWS EC2 on-demand instance hours of the month with their
-- instance type (x_InstanceType, else parsed from the BoxUsage usage type): the input of
-- the previous-generation and Graviton/AMD checks.
-- Grain: one row per focus_costs row (usage with a resource, no commitment, not spot).
with

month_costs as (
    select * from int_waste_month_costs
),

instance_usage as (
    select
        month_costs.*,
        coalesce(
            nullif(x_InstanceType, ''),
            nullif(regexp_extract(x_UsageType, 'BoxUsage:([^ ]+)$', 1), '')
        ) as tmp_instance_type
    from month_costs
    where ProviderName = 'AWS'
        and ChargeCategory = 'Usage'
        and ResourceId is not null
        and x_UsageType like '%BoxUsage:%'
        and CommitmentDiscountId is null
        and coalesce(PricingCategory, 'Standard') not in ('Committed', 'Dynamic')
        and x_UsageType not like '%SpotUsage%'
)

select * from instance_usage
